#!/usr/bin/env node
// Committed launcher: pnpm links bins before dist/ is built, so the bin cannot point into dist.
await import('../dist/main.js');
