import express from 'express';
import api from './routes';
import { errorHandler } from './middleware/error-handler';

export function createApp() {
  const app = express();
  app.use(express.json());
  app.use('/v1', api);
  app.use(errorHandler);
  return app;
}
