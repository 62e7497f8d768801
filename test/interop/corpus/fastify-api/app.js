/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const path = require('node:path');
const Fastify = require('fastify');
const autoload = require('@fastify/autoload');

async function buildApp() {
  const app = Fastify({ logger: { level: process.env.LOG_LEVEL || 'info' } });

  if (process.env.FASTIFY_OTEL) {
    const { fastifyOtel } = require('./otel');
    await app.register(fastifyOtel.plugin());
  }

  app.decorate('billing', require('./services/billing'));

  // routes/<folder>/ becomes /api/<folder>/
  await app.register(autoload, {
    dir: path.join(__dirname, 'routes'),
    options: { prefix: '/api' },
  });
  await app.register(require('./admin'), { prefix: '/admin' });

  return app;
}

module.exports = buildApp;
