import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@fleetplane/observability';
import { renderDocsPage } from './docs-page.js';
import { buildOpenApiDocument, type OpenApiDocument } from './document.js';

/**
 * The API's description, outside /api/v1 (it describes every version it serves).
 * Public: it holds no secret, and a client needs it before it has credentials.
 * Built once, at start-up, from the operations registry.
 */
@Controller('api')
export class OpenApiController {
  private readonly document = buildOpenApiDocument();
  private readonly page = renderDocsPage(this.document);

  @Get('openapi.json')
  @Public()
  openApi(): OpenApiDocument {
    return this.document;
  }

  @Get('docs')
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  docs(): string {
    return this.page;
  }
}
