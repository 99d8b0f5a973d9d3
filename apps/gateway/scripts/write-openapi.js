// Run by `pnpm build` after tsc: the OpenAPI document the gateway serves at
// /api/openapi.json, written to dist/openapi.json for the CLI and other clients to be
// checked against. Built from the compiled registry alone: no config, no connections.
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../dist/openapi/document.js';

const target = new URL('../dist/openapi.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
