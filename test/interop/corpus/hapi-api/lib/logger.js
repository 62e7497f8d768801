/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const pino = require('pino');

module.exports = pino({ name: 'inventory-service' });
