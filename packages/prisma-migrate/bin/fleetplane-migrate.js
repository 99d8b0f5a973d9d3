#!/usr/bin/env node
// Committed launcher for dist/cli.js: pnpm links a workspace bin at install time, before
// `build` has produced dist/, and skips a bin whose file does not exist yet.
import '../dist/cli.js';
