'use strict';
// Just enough of a body parser for this service's JSON requests.
module.exports = async function jsonBody(ctx, next) {
  if (ctx.is('application/json')) {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    ctx.request.body = text ? JSON.parse(text) : {};
  }
  await next();
};
