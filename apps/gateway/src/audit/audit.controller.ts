import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ApiAuthGuard } from '../auth/api-auth.guard.js';
import { RequireRole } from '../auth/roles.js';
import { RolesGuard } from '../auth/roles.guard.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { AuditService, type AuditView } from './audit.service.js';

const auditQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  pageToken: z.string().max(200).optional(),
});

@Controller('audit')
@UseGuards(ApiAuthGuard, RolesGuard)
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Newest first; pass nextPageToken back as pageToken for the next page. */
  @Get()
  @RequireRole('admin')
  list(@Query(new ZodPipe(auditQuery)) q: z.infer<typeof auditQuery>): Promise<{ entries: AuditView[]; nextPageToken: string | null }> {
    return this.audit.list(q.pageSize, q.pageToken);
  }
}
