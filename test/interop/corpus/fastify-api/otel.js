/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
// Route-level spans for Fastify: the stock auto-instrumentation has none.
const { FastifyOtelInstrumentation } = require('@fastify/otel');

const fastifyOtel = new FastifyOtelInstrumentation({ servername: 'corpus-fastify' });

module.exports = { fastifyOtel };
