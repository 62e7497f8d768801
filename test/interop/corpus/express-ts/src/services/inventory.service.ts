export class OutOfStockError extends Error {
  constructor(sku: string, wanted: number) {
    super(`${sku} is out of stock (wanted ${wanted})`);
    this.name = 'OutOfStockError';
  }
}

const stock = new Map<string, number>([
  ['p-1', 1000],
  ['p-2', 1],
]);

export class InventoryService {
  async reserve(sku: string, qty: number): Promise<number> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const left = stock.get(sku) ?? 0;
    if (left < qty) {
      throw new OutOfStockError(sku, qty);
    }
    stock.set(sku, left - qty);
    return left - qty;
  }
}
