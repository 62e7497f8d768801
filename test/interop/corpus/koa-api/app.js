/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const Koa = require('koa');
const errors = require('./middleware/errors');
const jsonBody = require('./middleware/json-body');
const api = require('./routes');

const app = new Koa();

app.use(errors);
app.use(jsonBody);
app.use(api.routes()).use(api.allowedMethods());

const port = Number(process.env.PORT || 3000);
app.listen(port, '127.0.0.1', () => {
  console.log(`listening on ${port}`);
});
