import { Readable } from 'node:stream';
import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { RequireRole } from '../auth/roles.js';
import { RequireScope } from '../auth/scopes.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { EXPORT_CONTENT_TYPES } from './audit-export.js';
import { auditExportQuery, auditQuery, type AuditExportQuery, type AuditPage, type AuditQuery } from './audit.schemas.js';
import { AuditService } from './audit.service.js';

@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Newest first, filtered; pass nextPageToken back as pageToken (with the same filters) for the next page. */
  @Get()
  @RequireRole('admin')
  @RequireScope('audit:read')
  list(@Query(new ZodPipe(auditQuery)) q: AuditQuery): Promise<AuditPage> {
    return this.audit.list(q);
  }

  /** The whole filtered log as a download, streamed (Readable.from pulls the generator only as the socket drains). */
  @Get('export')
  @RequireRole('admin')
  @RequireScope('audit:read')
  export(@Query(new ZodPipe(auditExportQuery)) q: AuditExportQuery): StreamableFile {
    return new StreamableFile(Readable.from(this.audit.export(q)), {
      type: EXPORT_CONTENT_TYPES[q.format],
      disposition: `attachment; filename="audit.${q.format}"`,
    });
  }
}
