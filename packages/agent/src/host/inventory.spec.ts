import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capabilities, inventory, onPath } from './inventory.js';

describe('inventory', () => {
  it('offers exec and system.info everywhere, docker and compose verbs only with docker', () => {
    expect(capabilities(false)).toEqual(['exec', 'system.info']);
    expect(capabilities(true)).toEqual(expect.arrayContaining(['exec', 'system.info', 'docker.ps', 'compose.up']));
  });

  it('finds executables on PATH only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-path-'));
    writeFileSync(join(dir, 'docker'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(dir, 'notexec'), '', { mode: 0o644 });
    expect(onPath('docker', dir)).toBe(true);
    expect(onPath('notexec', dir)).toBe(false);
    expect(onPath('docker', '')).toBe(false);
  });

  it('describes the host from node:os', () => {
    const inv = inventory('par', { role: 'web' }, false);
    expect(inv).toMatchObject({ site: 'par', os: process.platform, containerEngine: '', labels: { role: 'web' } });
    expect(inv.kernel.length).toBeGreaterThan(0);
  });
});
