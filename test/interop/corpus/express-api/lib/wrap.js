'use strict';
// Express 5 forwards rejected promises itself; the controllers keep the wrapper they were
// written with for Express 4.
function wrap(fn) {
  return function wrapped(req, res, next) {
    return Promise.resolve(fn(req, res, next)).catch(next);
  };
}

module.exports = wrap;
