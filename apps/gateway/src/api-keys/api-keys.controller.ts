import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { Caller } from '../auth/principal.js';
import { RequireRole } from '../auth/roles.js';
import { RequireScope } from '../auth/scopes.js';
import { CurrentCaller } from '../http/caller.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { createApiKeyBody, uuidParam, type ApiKeyList, type CreateApiKeyBody, type CreatedApiKey } from './api-keys.schemas.js';
import { ApiKeysService } from './api-keys.service.js';

@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @RequireRole('admin', 'api_key.create')
  @RequireScope('users:write')
  create(@CurrentCaller() caller: Caller, @Body(new ZodPipe(createApiKeyBody)) body: CreateApiKeyBody): Promise<CreatedApiKey> {
    return this.apiKeys.create(caller, body);
  }

  @Get()
  @RequireRole('admin')
  @RequireScope('users:read')
  async list(): Promise<ApiKeyList> {
    return { apiKeys: await this.apiKeys.list() };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('admin', 'api_key.revoke')
  @RequireScope('users:write')
  revoke(@CurrentCaller() caller: Caller, @Param('id', new ZodPipe(uuidParam, 'id')) id: string): Promise<void> {
    return this.apiKeys.revoke(caller, id);
  }
}
