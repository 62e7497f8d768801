'use strict';
const stock = new Map([
  ['17', { sku: '17', name: 'hex bolts', qty: 40 }],
  ['18', { sku: '18', name: 'wing nuts', qty: 0 }],
]);

const io = () => new Promise((resolve) => setImmediate(resolve));

async function all() {
  await io();
  return [...stock.values()];
}

async function find(id) {
  await io();
  if (id === '99') {
    throw new Error(`warehouse for item ${id} is not reachable`);
  }
  return stock.get(id);
}

async function restock(id, qty) {
  const item = await find(id);
  item.qty += qty;
  return item;
}

async function history(id) {
  await io();
  return [{ id, at: '2026-01-02', change: +10 }];
}

module.exports = { all, find, restock, history };
