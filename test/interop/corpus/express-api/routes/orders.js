/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const express = require('express');
const orders = require('../controllers/orders');
const asyncHandler = require('../middleware/async-handler');
const catchAsync = require('../lib/catch-async');
const payments = require('../services/payments');
const db = require('../services/db');

const router = express.Router();

router.get('/', asyncHandler(orders.list));
router
  .route('/:id')
  .get(orders.show)
  .delete(asyncHandler(orders.cancel));

router.post(
  '/:id/pay',
  catchAsync(async (req, res) => {
    const order = await db.orders.find(req.params.id);
    if (!order) return res.status(404).json({ error: 'no such order' });
    const charge = await payments.charge(order, req.body.card);
    res.status(201).json(charge);
  }),
);

module.exports = router;
