import type { Request, Response } from 'express';
import { asyncHandler } from '../middleware/async-handler';
import { InventoryService } from '../services/inventory.service';

interface CartLine {
  sku: string;
  qty: number;
}

const carts = new Map<string, CartLine[]>([['c-1', [{ sku: 'p-3', qty: 2 }]]]);
const inventory = new InventoryService();

export async function getCart(req: Request, res: Response) {
  const cartId = String(req.params.cartId);
  res.json({ id: cartId, lines: carts.get(cartId) ?? [] });
}

export const addItem = asyncHandler(async (req: Request, res: Response) => {
  const cartId = String(req.params.cartId);
  const { sku, qty } = req.body as CartLine;
  await inventory.reserve(sku, qty);
  const lines = carts.get(cartId) ?? [];
  lines.push({ sku, qty });
  carts.set(cartId, lines);
  console.log(`cart ${cartId}: reserved ${qty} x ${sku}`);
  res.status(201).json({ id: cartId, lines });
});

export const clearCart = (req: Request, res: Response) => {
  carts.delete(String(req.params.cartId));
  res.status(204).end();
};
