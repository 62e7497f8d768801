/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const Router = require('@koa/router');
const catalog = require('../services/catalog');

const router = new Router();

router.get('/', list);
router.get('/popular', async (ctx) => {
  ctx.body = await catalog.popular(3);
});
router.get('/:isbn', show);
router.post('/', create);

async function list(ctx) {
  ctx.body = { books: await catalog.all() };
}

async function show(ctx) {
  const book = await catalog.byIsbn(ctx.params.isbn);
  ctx.assert(book, 404, 'no such book');
  ctx.body = book;
}

async function create(ctx) {
  const book = await catalog.add(ctx.request.body);
  console.log(`book ${book.isbn} added: "${book.title}"`);
  ctx.status = 201;
  ctx.body = book;
}

module.exports = router;
