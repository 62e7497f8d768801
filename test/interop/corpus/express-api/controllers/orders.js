/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const db = require('../services/db');

async function list(req, res) {
  const orders = await db.orders.list();
  res.json(orders);
}

async function show(req, res) {
  const order = await db.orders.find(req.params.id);
  if (!order) return res.status(404).json({ error: 'no such order' });
  res.json(order);
}

async function cancel(req, res) {
  const order = await db.orders.find(req.params.id);
  if (!order) return res.status(404).json({ error: 'no such order' });
  await db.orders.save({ ...order, status: 'cancelled' });
  console.log(`order ${order.id} cancelled by request`);
  res.status(204).end();
}

module.exports = { list, show, cancel };
