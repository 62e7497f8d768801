export interface Product {
  sku: string;
  name: string;
  priceCents: number;
}

const CATALOG: Product[] = [
  { sku: 'p-1', name: 'Desk lamp', priceCents: 3900 },
  { sku: 'p-2', name: 'Floor lamp', priceCents: 8900 },
  { sku: 'p-3', name: 'Notebook', priceCents: 450 },
];

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ProductService {
  async all(): Promise<Product[]> {
    await tick();
    return CATALOG;
  }

  async search(q: string): Promise<Product[]> {
    await tick();
    const needle = q.toLowerCase();
    return CATALOG.filter((p) => p.name.toLowerCase().includes(needle));
  }

  async bySku(sku: string): Promise<Product | undefined> {
    await tick();
    if (sku === 'p-0') {
      throw new Error(`catalog entry ${sku} is corrupt`);
    }
    return CATALOG.find((p) => p.sku === sku);
  }
}
