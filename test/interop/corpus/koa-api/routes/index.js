/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const Router = require('@koa/router');
const books = require('./books');
const authors = require('./authors');

const api = new Router({ prefix: '/api' });

api.get('/ping', (ctx) => {
  ctx.body = 'pong';
});

api.use('/books', books.routes(), books.allowedMethods());
api.use(authors.routes(), authors.allowedMethods());

module.exports = api;
