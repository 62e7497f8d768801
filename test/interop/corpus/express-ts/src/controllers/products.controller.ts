import type { Request, Response } from 'express';
import type { ProductService } from '../services/product.service';

export class ProductsController {
  constructor(private readonly products: ProductService) {}

  list = async (_req: Request, res: Response) => {
    const all = await this.products.all();
    res.json({ items: all, count: all.length });
  };

  search = async (req: Request, res: Response) => {
    const q = String(req.query.q ?? '');
    const hits = await this.products.search(q);
    console.info(`search "${q}" matched ${hits.length} products`);
    res.json({ items: hits });
  };

  get = async (req: Request, res: Response) => {
    const product = await this.products.bySku(String(req.params.sku));
    if (!product) {
      res.status(404).json({ error: 'unknown sku' });
      return;
    }
    res.json(product);
  };
}
