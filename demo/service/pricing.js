'use strict';
// Fast, CPU-only work: the functions whose lenses should read in fractions of a millisecond.
const { traced } = require('./tracing');
const { cpu } = require('./simulate');

const PRICES_CENTS = { 'sku-apple': 120, 'sku-bread': 349, 'sku-coffee': 1299, 'sku-tea': 899, 'sku-milk': 189, 'sku-cheese': 675 };
const TAX_RATE = 0.08;

function priceOf(sku) {
  const price = PRICES_CENTS[sku];
  if (price === undefined) throw new Error(`unknown sku ${sku}`);
  return price;
}

/** Subtotal plus tax, in cents. */
function computeTotal(items) {
  return traced('computeTotal', (span) => {
    cpu(0.05 + items.length * 0.02); // rounding rules, tax tables: a little real CPU
    const subtotal = items.reduce((sum, item) => sum + priceOf(item.sku) * item.qty, 0);
    const total = Math.round(subtotal * (1 + TAX_RATE));
    span.setAttribute('order.items', items.length);
    return total;
  });
}

/** Loyal customers (even ids) get 5 %, big baskets another 5 %. */
function applyDiscount(totalCents, customerId) {
  return traced('applyDiscount', () => {
    cpu(0.03);
    let rate = 0;
    if (Number(customerId.replace(/\D/g, '')) % 2 === 0) rate += 0.05;
    if (totalCents > 5000) rate += 0.05;
    return Math.round(totalCents * (1 - rate));
  });
}

module.exports = { computeTotal, applyDiscount, PRICES_CENTS };
