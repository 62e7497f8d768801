/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const express = require('express');

const router = express.Router();

router.get('/health', (req, res) => {
  res.json({ ok: true, uptime: process.uptime() });
});

router.use('/users', require('./users'));
router.use('/orders', require('./orders'));

module.exports = router;
