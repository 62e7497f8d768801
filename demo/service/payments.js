'use strict';
// The card processor. About 7 % of charges fail with a thrown Error, so ProdLens has error rates,
// real stack traces (recorded on the span by `traced`) and an error-rate alert (above the default
// 5 % threshold with a margin, so it does not flap while the demo runs) to show.
const { traced } = require('./tracing');
const { io, chance } = require('./simulate');

class PaymentError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'PaymentError';
    this.code = code;
  }
}

function authorize(customerId, amountCents) {
  if (chance(0.035)) throw new PaymentError(`card declined for ${customerId}`, 'card_declined');
  if (chance(0.035)) throw new PaymentError('payment gateway timed out after 30s', 'gateway_timeout');
  return { authCode: Math.random().toString(36).slice(2, 8).toUpperCase(), amountCents };
}

/** Charges the customer's card on file; throws PaymentError when the processor says no. */
function chargeCard(customerId, amountCents) {
  return traced('chargeCard', async (span) => {
    span.setAttribute('payment.amount_cents', amountCents);
    await io(35, 0.4); // round trip to the processor
    return authorize(customerId, amountCents);
  });
}

module.exports = { chargeCard, PaymentError };
