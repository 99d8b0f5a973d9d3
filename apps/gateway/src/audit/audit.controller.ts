import { Controller, Get, Query } from '@nestjs/common';
import { RequireRole } from '../auth/roles.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { auditQuery, type AuditPage, type AuditQuery } from './audit.schemas.js';
import { AuditService } from './audit.service.js';

@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Newest first; pass nextPageToken back as pageToken for the next page. */
  @Get()
  @RequireRole('admin')
  list(@Query(new ZodPipe(auditQuery)) q: AuditQuery): Promise<AuditPage> {
    return this.audit.list(q.pageSize, q.pageToken);
  }
}
