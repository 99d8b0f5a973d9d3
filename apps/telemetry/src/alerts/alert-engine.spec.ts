import { describe, expect, it } from 'vitest';
import type { TelemetrySample } from '@fleetplane/contracts';
import { decide, mayChangeState } from './alert-engine.js';
import type { AlertRule } from './alert-rule.js';
import { stateKey, type EvaluationState } from './alert-evaluation.store.js';

const rule = (over: Partial<AlertRule>): AlertRule => ({
  id: 'r-disk',
  name: 'disk',
  metric: 'disk_percent',
  comparison: '>',
  warning: 85,
  critical: 95,
  clear: 80,
  forSeconds: 0,
  scope: { agentIds: [], site: '', labels: {} },
  enabled: true,
  builtin: true,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...over,
});

const sample = (agentId: string, at: number, over: Partial<TelemetrySample> = {}): TelemetrySample => ({
  agentId,
  takenAt: new Date(at).toISOString(),
  cpuPercent: 10,
  memoryUsedBytes: 1,
  memoryTotalBytes: 4,
  load: [0, 0, 0],
  diskUsedBytes: 1,
  diskTotalBytes: 2,
  uptimeSeconds: 1,
  ...over,
});

const empty = (): EvaluationState => ({ conditions: new Map(), open: new Map() });

describe('decide', () => {
  it('evaluates disk per mount: only the full mount fires', () => {
    const s = sample('a1', 1000, {
      mounts: [
        { mount: '/', usedBytes: 50, totalBytes: 100 },
        { mount: '/var', usedBytes: 90, totalBytes: 100 },
      ],
    });
    const c = decide([{ rule: rule({}), applies: () => true }], new Map([['a1', [s]]]), empty());
    expect(c.fire.map((f) => [f.mount, f.severity, f.value])).toEqual([['/var', 'WARNING', 90]]);
  });

  it('leaves agents out of scope alone', () => {
    const c = decide([{ rule: rule({ metric: 'cpu_percent', warning: 5 }), applies: (a) => a === 'a2' }], new Map([['a1', [sample('a1', 1000)]]]), empty());
    expect(c.fire).toEqual([]);
  });

  it('resolves an open no-data alert when the agent reports again', () => {
    const noData = rule({ id: 'r-nd', metric: 'no_data', comparison: '>=', warning: null, critical: 3, clear: null });
    const state = empty();
    const open = {
      id: 'al-1',
      ruleId: 'r-nd',
      ruleName: 'no-data',
      agentId: 'a1',
      metric: 'no_data',
      mount: '',
      state: 'FIRING' as const,
      severity: 'CRITICAL' as const,
    };
    state.open.set(stateKey('r-nd', 'a1', ''), open);
    const c = decide([{ rule: noData, applies: () => true }], new Map([['a1', [sample('a1', 5000)]]]), state);
    expect(c.resolve).toEqual([{ alert: open, value: 0, at: 5000 }]);
  });

  it('opens one alert for a run of samples in one batch, critical if it escalated within it', () => {
    const cpu = rule({ id: 'r-cpu', metric: 'cpu_percent', forSeconds: 10 });
    const samples = [0, 5000, 10_000, 15_000, 20_000].map((t, i) => sample('a1', t, { cpuPercent: i < 2 ? 90 : 99 }));
    const c = decide([{ rule: cpu, applies: () => true }], new Map([['a1', samples]]), empty());
    expect(c.fire).toHaveLength(1);
    expect(c.fire[0]).toMatchObject({ severity: 'CRITICAL', at: 10_000 });
  });

  it('sends to the locked evaluation only agents with a value that would keep a condition or fire (mayChangeState)', () => {
    const cpu = { rule: rule({ id: 'r-cpu', name: 'cpu', metric: 'cpu_percent', warning: 80, critical: 95, clear: 75, forSeconds: 300 }), applies: () => true };
    const noData = {
      rule: rule({ id: 'r-nd', name: 'no-data', metric: 'no_data', comparison: '>=', warning: null, critical: 3, clear: null }),
      applies: () => true,
    };
    // Below warning (even in the hysteresis band, which matters only with an open alert): nothing to do.
    expect(mayChangeState([cpu, noData], 'a1', [sample('a1', 1000, { cpuPercent: 78 })])).toBe(false);
    // Past warning, not yet for 300 s: a condition to keep.
    expect(mayChangeState([cpu], 'a1', [sample('a1', 1000, { cpuPercent: 10 }), sample('a1', 2000, { cpuPercent: 81 })])).toBe(true);
    // A rule out of scope for the agent does not count.
    expect(mayChangeState([{ ...cpu, applies: () => false }], 'a1', [sample('a1', 1000, { cpuPercent: 99 })])).toBe(false);
    // Disk per mount: one full mount is enough.
    const mounts = [
      { mount: '/', usedBytes: 10, totalBytes: 100 },
      { mount: '/var', usedBytes: 90, totalBytes: 100 },
    ];
    expect(mayChangeState([{ rule: rule({}), applies: () => true }], 'a1', [sample('a1', 1000, { mounts })])).toBe(true);
  });
});
