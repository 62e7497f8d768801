import { Router } from 'express';
import * as carts from '../controllers/carts.controller';

const router = Router();

router.get('/:cartId', carts.getCart);
router.post('/:cartId/items', carts.addItem);
router.delete('/:cartId', carts.clearCart);

export default router;
