import { Injectable } from '@nestjs/common';

@Injectable()
export class ReportsService {
  summary(year: number) {
    return { year, signups: 1200 + (year % 100), churned: 37 };
  }
}
