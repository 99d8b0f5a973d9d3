import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';
import { MAX_PAGE_SIZE } from '@fleetplane/service-kit';
import { RequireRole } from '../auth/roles.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { AuditService, type AuditView } from './audit.service.js';

// Out-of-range sizes are refused with a 400 naming pageSize rather than clamped; none means service-kit's default (50).
const auditQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  pageToken: z.string().max(200).optional(),
});

@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Newest first; pass nextPageToken back as pageToken for the next page. */
  @Get()
  @RequireRole('admin')
  list(@Query(new ZodPipe(auditQuery)) q: z.infer<typeof auditQuery>): Promise<{ entries: AuditView[]; nextPageToken: string | null }> {
    return this.audit.list(q.pageSize, q.pageToken);
  }
}
