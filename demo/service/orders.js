'use strict';
// Orders: the file to open in the editor. Each method is measured by `traced`, so each gets a lens.
const { traced } = require('./tracing');
const { io } = require('./simulate');
const { log } = require('./log');
const { checkStock, reserveItems, OutOfStockError } = require('./inventory');
const { chargeCard } = require('./payments');
const { computeTotal, applyDiscount, PRICES_CENTS } = require('./pricing');

const MAX_KEPT = 1000; // an in-memory "table"; old orders fall off so memory stays flat

class OrderService {
  constructor() {
    this.orders = new Map();
    this.nextId = 1000;
    const skus = Object.keys(PRICES_CENTS);
    for (let i = 0; i < 20; i++) {
      this.save({ customerId: `cust-${i % 7}`, items: [{ sku: skus[i % skus.length], qty: 1 + (i % 3) }], totalCents: 1000 + i * 37 });
    }
  }

  save(order) {
    const id = `ord-${this.nextId++}`;
    this.orders.set(id, { id, createdAt: new Date().toISOString(), ...order });
    if (this.orders.size > MAX_KEPT) this.orders.delete(this.orders.keys().next().value);
    return this.orders.get(id);
  }

  /** Checks stock, prices the basket, charges the card, reserves the items, stores the order. */
  placeOrder(customerId, items) {
    return traced('OrderService.placeOrder', async (span) => {
      span.setAttribute('order.customer_id', customerId);
      const levels = await Promise.all(items.map((item) => checkStock(item.sku)));
      items.forEach((item, i) => {
        if (levels[i] < item.qty) throw new OutOfStockError(item.sku);
      });
      const totalCents = applyDiscount(computeTotal(items), customerId);
      try {
        await chargeCard(customerId, totalCents);
      } catch (err) {
        log.error(`payment failed customerId=${customerId} total=${totalCents} reason=${err.code || err.message}`, err, { 'order.customer_id': customerId });
        throw err;
      }
      const reservation = await reserveItems(items);
      await io(4, 0.4); // INSERT INTO orders
      const order = this.save({ customerId, items, totalCents, reservationId: reservation.reservationId });
      span.setAttribute('order.id', order.id);
      log.info(`order placed orderId=${order.id} total=${(totalCents / 100).toFixed(2)}`, { 'order.id': order.id, 'order.total_cents': totalCents });
      return order;
    });
  }

  /** One order by id, or undefined. */
  getOrder(id) {
    return traced('OrderService.getOrder', async (span) => {
      span.setAttribute('order.id', id);
      await io(3, 0.35); // SELECT … WHERE id = ?
      return this.orders.get(id);
    });
  }

  /** The newest `limit` orders. */
  listOrders(limit = 20) {
    return traced('OrderService.listOrders', async (span) => {
      await io(7 + limit * 0.2, 0.5); // SELECT … ORDER BY created_at DESC LIMIT ?
      const newest = [...this.orders.values()].slice(-limit).reverse();
      span.setAttribute('orders.returned', newest.length);
      return newest;
    });
  }
}

module.exports = { OrderService };
