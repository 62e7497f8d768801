/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const schemas = require('./schemas');

const users = new Map([
  ['7', { id: '7', name: 'Grace', plan: 'pro' }],
  ['8', { id: '8', name: 'Linus', plan: 'free' }],
]);
let nextId = 100;

module.exports = async function userRoutes(fastify) {
  fastify.get('/', { schema: schemas.list }, listUsers);

  fastify.get('/me', async (request) => {
    return { id: request.headers['x-user-id'] || 'anonymous' };
  });

  fastify.get('/:id', { schema: schemas.byId }, getUser);

  fastify.route({
    method: 'POST',
    url: '/',
    schema: schemas.create,
    handler: createUser,
  });
};

async function listUsers(request) {
  return [...users.values()].slice(0, request.query.limit);
}

async function getUser(request, reply) {
  const user = users.get(request.params.id);
  if (!user) {
    return reply.code(404).send({ error: 'not found' });
  }
  return user;
}

async function createUser(request, reply) {
  const user = { id: String(nextId++), name: request.body.name, plan: request.body.plan || 'free' };
  users.set(user.id, user);
  request.log.info(`user ${user.id} signed up on the ${user.plan} plan`);
  reply.code(201);
  return user;
}
