'use strict';
module.exports = async function adminRoutes(fastify) {
  fastify.addHook('preHandler', async (request, reply) => {
    if (request.headers['x-admin-token'] !== 'letmein') {
      reply.code(403).send({ error: 'admins only' });
    }
  });

  fastify.post('/reindex', reindex);
};

async function reindex(request, reply) {
  const documents = 1284;
  request.log.warn(`reindex of ${documents} documents queued by ${request.ip}`);
  reply.code(202);
  return { queued: documents };
}
