// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-nocheck -- legacy (experimentalDecorators) parameter and method decorators: this app's tsconfig.json
// checks them when the corpus compiles it; the repository's root tsconfig would read them as standard decorators.
import { Controller, Get } from '@nestjs/common';

@Controller()
export class HealthController {
  @Get('health')
  check() {
    return { status: 'ok', uptime: process.uptime() };
  }
}
