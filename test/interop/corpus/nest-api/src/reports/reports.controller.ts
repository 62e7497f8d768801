// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-nocheck -- legacy (experimentalDecorators) parameter and method decorators: this app's tsconfig.json
// checks them when the corpus compiles it; the repository's root tsconfig would read them as standard decorators.
import { Controller, Get, Param, ParseIntPipe } from '@nestjs/common';
import { ReportsService } from './reports.service';

@Controller({ path: 'reports', version: '2' })
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get(':year')
  byYear(@Param('year', ParseIntPipe) year: number) {
    return this.reports.summary(year);
  }
}
