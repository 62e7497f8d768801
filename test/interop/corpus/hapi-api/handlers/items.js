/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const warehouse = require('../services/warehouse');
const logger = require('../lib/logger');

async function listItems() {
  return warehouse.all();
}

async function getItem(request, h) {
  const item = await warehouse.find(request.params.id);
  if (!item) {
    return h.response({ error: 'not found' }).code(404);
  }
  return item;
}

async function restock(request, h) {
  const item = await warehouse.restock(request.params.id, request.payload.qty);
  logger.info(`restocked ${item.sku} to ${item.qty} units`);
  return h.response(item).code(201);
}

module.exports = { listItems, getItem, restock };
