'use strict';
// Stock levels, plus the warehouse service: the occasionally slow dependency. About 2 % of its
// calls take 300–900 ms, which is what a p99 lens should make visible.
const { traced, tracer, SpanKind } = require('./tracing');
const { io, sleep, chance, between } = require('./simulate');
const { PRICES_CENTS } = require('./pricing');

const stock = new Map(Object.keys(PRICES_CENTS).map((sku) => [sku, 500]));

class OutOfStockError extends Error {
  constructor(sku) {
    super(`out of stock: ${sku}`);
    this.name = 'OutOfStockError';
  }
}

/** How many of `sku` are on hand (a quick indexed lookup). */
function checkStock(sku) {
  return traced('checkStock', async (span) => {
    await io(2.5, 0.4);
    const available = stock.get(sku) ?? 0;
    span.setAttribute('inventory.sku', sku);
    span.setAttribute('inventory.available', available);
    return available;
  });
}

/** The remote warehouse API: usually ~12 ms, sometimes very slow. */
function callWarehouse(items) {
  return traced('callWarehouse', async () => {
    if (chance(0.02)) await sleep(between(300, 900)); // long tail: a cold cache on their side
    else await io(12, 0.45);
    return { reservationId: `res-${Math.random().toString(36).slice(2, 10)}`, lines: items.length };
  }, { kind: SpanKind.CLIENT, attributes: { 'server.address': 'warehouse.internal', 'server.port': 443 } });
}

/** Takes the items out of stock and confirms with the warehouse. */
function reserveItems(items) {
  return traced('reserveItems', async () => {
    for (const { sku, qty } of items) {
      const left = stock.get(sku) ?? 0;
      if (left < qty) throw new OutOfStockError(sku);
      stock.set(sku, left - qty);
    }
    const confirmation = await callWarehouse(items);
    restockLowItems();
    return confirmation;
  });
}

/**
 * Tops stock back up so the demo never runs dry. Deliberately unmapped: its span says it runs from
 * the nightly job's image (/jobs/restock/index.js), a layout this workspace does not have, so it
 * gets no lens and "ProdLens: Why No Data Here?" on it explains why.
 */
function restockLowItems() {
  const attributes = { 'code.function.name': 'restockLowItems', 'code.file.path': '/jobs/restock/index.js', 'code.line.number': 7 };
  tracer.startActiveSpan('restockLowItems', { attributes }, (span) => {
    for (const [sku, left] of stock) if (left < 100) stock.set(sku, left + 400);
    span.end();
  });
}

module.exports = { checkStock, reserveItems, OutOfStockError };
