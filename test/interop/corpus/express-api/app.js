/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const express = require('express');
const logger = require('./lib/logger');
const { notFound, errorHandler } = require('./middleware/errors');

const app = express();
app.disable('x-powered-by');
app.use(express.json());

app.use('/api', require('./routes'));

app.use(notFound);
app.use(errorHandler);

const port = Number(process.env.PORT || 3000);
app.listen(port, '127.0.0.1', () => {
  logger.info(`listening on ${port}`);
});
