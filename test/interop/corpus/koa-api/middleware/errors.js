'use strict';
module.exports = async function errors(ctx, next) {
  try {
    await next();
  } catch (err) {
    ctx.status = err.status || 500;
    ctx.body = { error: err.message };
    if (ctx.status >= 500) console.error(err.stack);
  }
};
