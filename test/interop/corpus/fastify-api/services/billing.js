'use strict';
const invoices = new Map([
  ['inv-1', { id: 'inv-1', customer: 'c-1', lines: [{ item: 'seat', cents: 1200 }] }],
  ['inv-13', { id: 'inv-13', customer: 'c-404', lines: [] }],
]);
const customers = new Set(['c-1']);

async function load(id) {
  await new Promise((resolve) => setImmediate(resolve));
  const invoice = invoices.get(id);
  if (invoice && !customers.has(invoice.customer)) {
    throw new Error(`invoice ${id} references missing customer ${invoice.customer}`);
  }
  return invoice || { id, customer: null, lines: [] };
}

async function send(invoice, to) {
  await new Promise((resolve) => setImmediate(resolve));
  return { id: invoice.id, to };
}

module.exports = { load, send };
