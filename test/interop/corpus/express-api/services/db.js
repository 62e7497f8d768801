'use strict';
// An in-memory stand-in for the database layer.
const users = new Map([
  ['7', { id: '7', name: 'Ada', email: 'ada@example.com' }],
  ['8', { id: '8', name: 'Brian', email: 'brian@example.com' }],
]);
const orders = new Map([['42', { id: '42', userId: '7', total: 1999, status: 'open' }]]);
let nextUser = 100;

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function findUser(id) {
  await delay(2);
  if (id === '13') {
    throw new Error(`users shard for ${id} is offline`);
  }
  return users.get(id) || null;
}

async function insertUser(fields) {
  await delay(1);
  const user = { id: String(nextUser++), ...fields };
  users.set(user.id, user);
  return user;
}

module.exports = {
  users: {
    list: async () => [...users.values()],
    find: findUser,
    insert: insertUser,
  },
  orders: {
    list: async () => [...orders.values()],
    find: async (id) => orders.get(id) || null,
    save: async (order) => orders.set(order.id, order),
  },
};
