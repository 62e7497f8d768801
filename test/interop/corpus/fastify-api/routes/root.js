'use strict';
module.exports = async function (fastify) {
  fastify.get('/status', async () => {
    return { status: 'ok', uptime: process.uptime() };
  });
};
