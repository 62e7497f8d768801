/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const catalog = require('../services/catalog');

const people = new Map([['5', { id: '5', name: 'Ursula K. Le Guin' }]]);

module.exports = {
  show: async (ctx) => {
    const author = people.get(ctx.params.id);
    ctx.assert(author, 404, 'no such author');
    ctx.body = author;
  },

  async books(ctx) {
    ctx.body = await catalog.booksBy(ctx.params.id);
  },
};
