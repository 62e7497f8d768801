/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const logger = require('../lib/logger');

function notFound(req, res) {
  res.status(404).json({ error: `no route for ${req.method} ${req.originalUrl}` });
}

function errorHandler(err, req, res, _next) {
  const status = err.status || 500;
  if (status >= 500) logger.error({ err, url: req.originalUrl }, 'request failed');
  res.status(status).json({ error: err.message });
}

module.exports = { notFound, errorHandler };
