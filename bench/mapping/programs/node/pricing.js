'use strict';
// Pricing rules: one deliberate throw for an unknown sku, one inside a callback.
const { log } = require('./log');

class PriceBook {
  constructor(prices) {
    this.prices = prices;
  }

  priceOf(sku) {
    const p = this.prices[sku];
    if (p === undefined) throw new Error(`unknown sku ${sku}`);
    log.debug(`price of ${sku} is ${p}`);
    return p;
  }

  totalOf(items) {
    return items.map((i) => this.priceOf(i.sku) * i.qty).reduce((a, b) => a + b, 0);
  }
}

function applyCoupon(total, code) {
  if (!/^[A-Z]{4}\d{2}$/.test(code)) {
    log.warn(`coupon ${code} rejected for total ${total}`);
    throw new RangeError(`bad coupon ${code}`);
  }
  log.info(`coupon ${code} applied: ${total} -> ${Math.round(total * 0.9)}`);
  return Math.round(total * 0.9);
}

module.exports = { PriceBook, applyCoupon };
