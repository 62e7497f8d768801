/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const wrap = require('../lib/wrap');
const db = require('../services/db');
const logger = require('../lib/logger');

exports.listUsers = wrap(async (req, res) => {
  const all = await db.users.list();
  res.json({ users: all, total: all.length });
});

exports.getUser = wrap(async (req, res) => {
  const user = await db.users.find(req.params.id);
  if (!user) {
    return res.status(404).json({ error: 'user not found' });
  }
  res.json(user);
});

exports.createUser = wrap(async (req, res) => {
  const { name, email } = req.body;
  const user = await db.users.insert({ name, email });
  logger.info(`created user ${user.id} for ${req.user.name}`);
  res.status(201).json(user);
});
