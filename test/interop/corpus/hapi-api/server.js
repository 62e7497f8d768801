/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const Hapi = require('@hapi/hapi');
const logger = require('./lib/logger');

function version() {
  return { version: '1.4.2' };
}

async function start() {
  const server = Hapi.server({ port: Number(process.env.PORT || 3000), host: '127.0.0.1' });

  server.events.on({ name: 'request', channels: 'error' }, (request, event) => {
    logger.error({ err: event.error, path: request.path }, 'unhandled route error');
  });

  server.route({ method: 'GET', path: '/ping', handler: () => 'pong' });
  server.route({ method: 'GET', path: '/version', handler: version });

  await server.register({ plugin: require('./plugins/inventory'), routes: { prefix: '/inventory' } });

  await server.start();
  logger.info(`listening on ${server.info.uri}`);
}

start().catch((err) => {
  logger.fatal(err);
  process.exit(1);
});
