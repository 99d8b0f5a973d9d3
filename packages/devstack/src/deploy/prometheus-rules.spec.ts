import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../fleet.js';

// promtool (Debian's prometheus package; infra/local/bootstrap.sh installs it) is Prometheus's own
// checker: the rules parse, their PromQL is valid, and the alerts fire when and only when intended.
const RULES = join(REPO_ROOT, 'infra/prometheus/rules');
const promtool = (...args: string[]) => {
  const r = spawnSync('promtool', args, { cwd: RULES, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}`, error: r.error };
};

describe('infra/prometheus/rules', () => {
  const files = readdirSync(RULES).filter((f) => f.endsWith('.yml'));

  it('passes promtool check rules', () => {
    expect(files.sort()).toEqual(['alerts.yml', 'recording.yml']);
    const r = promtool('check', 'rules', ...files);
    expect(r.error, 'promtool must be installed (infra/local/bootstrap.sh)').toBeUndefined();
    expect(r.output).not.toMatch(/FAILED/);
    expect(r.status, r.output).toBe(0);
  });

  it("passes promtool's unit tests: service down after 2 minutes, backup age over 26 hours", () => {
    const r = promtool('test', 'rules', 'tests/service-down.test.yml', 'tests/backup-age.test.yml');
    expect(r.output.match(/SUCCESS/g), r.output).toHaveLength(2);
    expect(r.output).not.toMatch(/FAILED/);
    expect(r.status, r.output).toBe(0);
  });
});
