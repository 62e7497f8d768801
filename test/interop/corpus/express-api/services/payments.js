'use strict';
class PaymentDeclined extends Error {
  constructor(orderId, reason) {
    super(`payment for order ${orderId} declined: ${reason}`);
    this.name = 'PaymentDeclined';
  }
}

async function charge(order, card) {
  await new Promise((resolve) => setImmediate(resolve));
  if (card === '4000-0000-0000-0002') {
    throw new PaymentDeclined(order.id, 'card_declined');
  }
  return { id: `ch_${order.id}`, amount: order.total };
}

module.exports = { charge, PaymentDeclined };
