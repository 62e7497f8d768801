'use strict';
// The bench's Node program: orders placed through pricing and a payment step, in the shapes
// production code fails in (async chains, callbacks, rethrows with a cause, eval). Prints JSON.
const { PriceBook, applyCoupon } = require('./pricing');
const { log, records } = require('./log');

const book = new PriceBook({ apple: 120, bread: 349 });

class PaymentGateway {
  async charge(customer, cents) {
    await new Promise((r) => setImmediate(r));
    if (cents > 1000) {
      log.error(`charge of ${cents} for ${customer} declined`);
      throw new Error('card declined');
    }
    log.info(`charged ${customer} ${cents} cents`);
    return { id: `ch-${customer}` };
  }
}

class OrderService {
  constructor() {
    this.gateway = new PaymentGateway();
  }

  async place(customer, items, coupon) {
    log.info(`placing order for ${customer} with ${items.length} items`);
    let total = book.totalOf(items);
    if (coupon) total = applyCoupon(total, coupon);
    try {
      return await this.gateway.charge(customer, total);
    } catch (err) {
      log.warn(`order for ${customer} failed: ${err.message}`);
      throw new Error(`order failed for ${customer}`, { cause: err });
    }
  }
}

function runEval(code) {
  return eval(code);
}

async function main() {
  const stacks = [];
  const orders = new OrderService();
  const attempt = async (fn) => {
    try {
      await fn();
    } catch (err) {
      stacks.push(err.stack + (err.cause ? `\nCaused by: ${err.cause.stack}` : ''));
    }
  };
  await attempt(() => orders.place('c1', [{ sku: 'apple', qty: 2 }]));
  await attempt(() => orders.place('c2', [{ sku: 'bread', qty: 5 }]));
  await attempt(() => orders.place('c3', [{ sku: 'pear', qty: 1 }]));
  await attempt(() => orders.place('c4', [{ sku: 'apple', qty: 1 }], 'nope'));
  await attempt(() => orders.place('c5', [{ sku: 'apple', qty: 3 }], 'SAVE10'));
  await attempt(() => [1, 2].forEach((n) => book.priceOf(`x${n}`)));
  await attempt(() => runEval('(function inEval() { return book.priceOf("kiwi"); })()'));
  process.stdout.write(JSON.stringify({ stacks, logs: records }));
}

void main();
