// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-nocheck -- legacy (experimentalDecorators) parameter and method decorators: this app's tsconfig.json
// checks them when the corpus compiles it; the repository's root tsconfig would read them as standard decorators.
import { Body, Controller, Delete, Get, HttpCode, Logger, Param, Post } from '@nestjs/common';
import { CreateUserDto, UsersService } from './users.service';

@Controller('users')
export class UsersController {
  private readonly logger = new Logger(UsersController.name);

  constructor(private readonly users: UsersService) {}

  @Get()
  findAll() {
    return this.users.findAll();
  }

  @Get(':id')
  async findOne(@Param('id') id: string) {
    const user = await this.users.findOne(id);
    return user;
  }

  @Post()
  create(@Body() dto: CreateUserDto) {
    const user = this.users.create(dto);
    this.logger.log(`registered user ${user.id} <${user.email}>`);
    return user;
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id') id: string) {
    this.users.remove(id);
  }
}
