/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const buildApp = require('./app');

const port = Number(process.env.PORT || 3000);

buildApp()
  .then((app) => app.listen({ port, host: '127.0.0.1' }))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
