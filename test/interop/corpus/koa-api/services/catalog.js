'use strict';
const books = new Map([
  ['978-0-13', { isbn: '978-0-13', title: 'The Dispossessed', authorId: '5', sold: 120 }],
  ['978-0-14', { isbn: '978-0-14', title: 'The Lathe of Heaven', authorId: '5', sold: 80 }],
]);

const later = () => new Promise((resolve) => setImmediate(resolve));

async function all() {
  await later();
  return [...books.values()];
}

async function popular(n) {
  await later();
  return [...books.values()].sort((a, b) => b.sold - a.sold).slice(0, n);
}

async function byIsbn(isbn) {
  await later();
  return books.get(isbn);
}

async function add({ isbn, title, authorId }) {
  await later();
  const book = { isbn, title, authorId, sold: 0 };
  books.set(isbn, book);
  return book;
}

async function booksBy(authorId) {
  await later();
  throw new Error(`catalog search for author ${authorId} timed out after 30 ms`);
}

module.exports = { all, popular, byIsbn, add, booksBy };
