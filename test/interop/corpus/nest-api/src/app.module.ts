import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { ReportsController } from './reports/reports.controller';
import { ReportsService } from './reports/reports.service';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

@Module({
  controllers: [HealthController, UsersController, ReportsController],
  providers: [UsersService, ReportsService],
})
export class AppModule {}
