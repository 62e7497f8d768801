/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const items = require('../handlers/items');
const warehouse = require('../services/warehouse');

exports.plugin = {
  name: 'inventory',
  version: '1.0.0',
  register: async (server) => {
    server.route([
      { method: 'GET', path: '/items', handler: items.listItems },
      { method: 'GET', path: '/items/{id}', handler: items.getItem },
      {
        method: 'POST',
        path: '/items/{id}/restock',
        options: { description: 'Restock an item', handler: items.restock },
      },
      {
        method: 'GET',
        path: '/items/{id}/history',
        handler: async (request) => {
          return { id: request.params.id, events: await warehouse.history(request.params.id) };
        },
      },
    ]);
  },
};
