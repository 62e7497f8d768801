/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const { Router } = require('express');
const users = require('../controllers/users');
const { requireAuth } = require('../middleware/auth');

const router = Router();

router.get('/', users.listUsers);
router.get('/:id', users.getUser);
router.post('/', [requireAuth, users.createUser]);

module.exports = router;
