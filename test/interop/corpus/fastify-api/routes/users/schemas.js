'use strict';
const user = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, plan: { type: 'string' } },
};

module.exports = {
  list: {
    querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, default: 20 } } },
    response: { 200: { type: 'array', items: user } },
  },
  byId: {
    params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]+$' } }, required: ['id'] },
  },
  create: {
    body: { type: 'object', properties: { name: { type: 'string' }, plan: { type: 'string' } }, required: ['name'] },
  },
};
