import { Router } from 'express';
import products from './products.routes';
import carts from './carts.routes';

const api = Router();

api.use('/products', products);
api.use('/carts', carts);

export default api;
