import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { Caller } from '../auth/principal.js';
import { RequireRole } from '../auth/roles.js';
import { RequireScope } from '../auth/scopes.js';
import { CurrentCaller } from '../http/caller.js';
import { ZodPipe } from '../http/zod.pipe.js';
import {
  createEnrollmentTokenBody,
  enrollmentTokenIdParam,
  listEnrollmentTokensQuery,
  type CreateEnrollmentTokenBody,
  type CreatedEnrollmentToken,
  type EnrollmentTokenPage,
  type ListEnrollmentTokensQuery,
} from './enrollment-tokens.schemas.js';
import { EnrollmentTokensService } from './enrollment-tokens.service.js';

@Controller('enrollment-tokens')
export class EnrollmentTokensController {
  constructor(private readonly tokens: EnrollmentTokensService) {}

  @Post()
  @RequireRole('admin', 'enrollment_token.create')
  @RequireScope('agents:write')
  create(@CurrentCaller() caller: Caller, @Body(new ZodPipe(createEnrollmentTokenBody)) body: CreateEnrollmentTokenBody): Promise<CreatedEnrollmentToken> {
    return this.tokens.create(caller, body);
  }

  @Get()
  @RequireRole('admin')
  @RequireScope('agents:read')
  list(@Query(new ZodPipe(listEnrollmentTokensQuery)) q: ListEnrollmentTokensQuery): Promise<EnrollmentTokenPage> {
    return this.tokens.list(q);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('admin', 'enrollment_token.revoke')
  @RequireScope('agents:write')
  revoke(@CurrentCaller() caller: Caller, @Param('id', new ZodPipe(enrollmentTokenIdParam, 'id')) id: string): Promise<void> {
    return this.tokens.revoke(caller, id);
  }
}
