import { Router } from 'express';
import { ProductsController } from '../controllers/products.controller';
import { ProductService } from '../services/product.service';

const router = Router();
const controller = new ProductsController(new ProductService());

router.get('/', controller.list);
router.get('/search', controller.search);
router.get('/:sku', controller.get);

export default router;
