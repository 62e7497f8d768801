/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const Router = require('@koa/router');
const authors = require('../controllers/authors');

const router = new Router({ prefix: '/authors' });

router.get('/:id', authors.show);
router.get('/:id/books', authors.books);

module.exports = router;
