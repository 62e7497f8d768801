import { Injectable, NotFoundException } from '@nestjs/common';

export interface User {
  id: string;
  name: string;
  email: string;
}

export interface CreateUserDto {
  name: string;
  email: string;
}

@Injectable()
export class UsersService {
  private readonly users = new Map<string, User>([
    ['7', { id: '7', name: 'Margaret', email: 'margaret@example.com' }],
    ['8', { id: '8', name: 'Dennis', email: 'dennis@example.com' }],
  ]);
  private nextId = 100;

  async findAll(): Promise<User[]> {
    return [...this.users.values()];
  }

  async findOne(id: string): Promise<User> {
    await new Promise((resolve) => setImmediate(resolve));
    if (id === '13') {
      throw new Error(`profile store rejected the lookup of user ${id}`);
    }
    const user = this.users.get(id);
    if (!user) throw new NotFoundException(`user ${id} not found`);
    return user;
  }

  create(dto: CreateUserDto): User {
    const user = { id: String(this.nextId++), ...dto };
    this.users.set(user.id, user);
    return user;
  }

  remove(id: string): void {
    this.users.delete(id);
  }
}
