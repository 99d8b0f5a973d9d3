import { Body, Controller, Get, Post } from '@nestjs/common';
import type { Caller } from '../auth/principal.js';
import { RequireRole } from '../auth/roles.js';
import { CurrentCaller } from '../http/caller.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { createUserBody, type CreateUserBody, type UserList } from './users.schemas.js';
import { UsersService, type UserView } from './users.service.js';

@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @RequireRole('admin', 'user.create')
  create(@CurrentCaller() caller: Caller, @Body(new ZodPipe(createUserBody)) body: CreateUserBody): Promise<UserView> {
    return this.users.create(caller, body);
  }

  @Get()
  @RequireRole('admin')
  async list(): Promise<UserList> {
    return { users: await this.users.list() };
  }
}
