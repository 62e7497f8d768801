'use strict';
function requireAuth(req, res, next) {
  const header = req.get('authorization') || '';
  if (!header.startsWith('Bearer ')) {
    return res.status(401).json({ error: 'missing bearer token' });
  }
  req.user = { name: header.slice('Bearer '.length) };
  next();
}

module.exports = { requireAuth };
