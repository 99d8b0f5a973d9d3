import { describe, expect, it } from 'vitest';
import { FakeClock } from '@fleetplane/service-kit';
import { evaluate, evaluateNoData, type Condition, type OpenAlertView } from './alert-evaluator.js';
import type { AlertRule } from './alert-rule.js';

const cpu: Pick<AlertRule, 'comparison' | 'warning' | 'critical' | 'clear' | 'forSeconds'> = {
  comparison: '>',
  warning: 80,
  critical: 95,
  clear: 75,
  forSeconds: 60,
};

/** Feeds values one per `stepMs` of a FakeClock through evaluate, keeping state as the engine does. */
function run(rule: typeof cpu, values: number[], stepMs = 15_000) {
  const clock = new FakeClock();
  let condition: Condition | null = null;
  let open: OpenAlertView | null = null;
  const transitions: string[] = [];
  for (const v of values) {
    const ev = evaluate(rule, condition, open, v, clock.nowMs());
    condition = ev.condition;
    const o = ev.outcome;
    if (o.transition === 'fired') open = { severity: o.severity };
    if (o.transition === 'escalated') open = { severity: 'CRITICAL' };
    if (o.transition === 'resolved') open = null;
    transitions.push(o.transition === null ? '-' : o.transition === 'fired' ? `fired:${o.severity}` : o.transition);
    clock.advance(stepMs);
  }
  return { transitions, open, condition };
}

describe('evaluate (for-duration)', () => {
  it('fires only once the value has been past warning for the whole `for`, measured on sample time', () => {
    // 15 s apart, for 60 s: the 5th sample over 80 (at +60 s) fires.
    expect(run(cpu, [85, 85, 85, 85, 85, 85]).transitions).toEqual(['-', '-', '-', '-', 'fired:WARNING', '-']);
  });

  it('starts the `for` again when the value drops back before firing', () => {
    expect(run(cpu, [85, 85, 85, 70, 85, 85, 85, 85, 85]).transitions).toEqual(['-', '-', '-', '-', '-', '-', '-', '-', 'fired:WARNING']);
  });

  it('fires at once with for = 0', () => {
    expect(run({ ...cpu, forSeconds: 0 }, [81]).transitions).toEqual(['fired:WARNING']);
  });

  it('ignores a sample not newer than the last evaluated one', () => {
    const ev = evaluate(cpu, { breachSince: 0, criticalSince: null, lastAt: 1000 }, null, 99, 1000);
    expect(ev.outcome.transition).toBeNull();
    expect(ev.condition).toEqual({ breachSince: 0, criticalSince: null, lastAt: 1000 });
  });
});

describe('evaluate (escalation)', () => {
  it('escalates the open warning alert to critical once past critical for `for`', () => {
    const r = run(cpu, [85, 85, 85, 85, 85, 96, 96, 96, 96, 96]);
    expect(r.transitions).toEqual(['-', '-', '-', '-', 'fired:WARNING', '-', '-', '-', '-', 'escalated']);
    expect(r.open).toEqual({ severity: 'CRITICAL' });
  });

  it('opens critical directly when critical has held for `for`', () => {
    expect(run(cpu, [99, 99, 99, 99, 99]).transitions).toEqual(['-', '-', '-', '-', 'fired:CRITICAL']);
  });

  it('a rule with only a critical threshold fires critical', () => {
    expect(run({ ...cpu, warning: null, clear: null, forSeconds: 0 }, [96, 50]).transitions).toEqual(['fired:CRITICAL', 'resolved']);
  });
});

describe('evaluate (hysteresis)', () => {
  it('stays open between clear and warning and resolves at or below clear', () => {
    const r = run({ ...cpu, forSeconds: 0 }, [85, 79, 76, 81, 77, 75, 80]);
    expect(r.transitions).toEqual(['fired:WARNING', '-', '-', '-', '-', 'resolved', '-']);
    expect(r.open).toBeNull();
  });

  it('re-fires after a resolve (a new alert), after the `for` again', () => {
    expect(run(cpu, [85, 85, 85, 85, 85, 70, 85, 85, 85, 85, 85]).transitions).toEqual([
      '-',
      '-',
      '-',
      '-',
      'fired:WARNING',
      'resolved',
      '-',
      '-',
      '-',
      '-',
      'fired:WARNING',
    ]);
  });

  it('clear defaults to the warning threshold: unhealthy containers > 0 resolve at 0', () => {
    expect(run({ comparison: '>', warning: 0, critical: null, clear: null, forSeconds: 0 }, [1, 2, 0]).transitions).toEqual(['fired:WARNING', '-', 'resolved']);
  });

  it('works for "below" rules too', () => {
    const low = { comparison: '<' as const, warning: 10, critical: 5, clear: 15, forSeconds: 0 };
    expect(run(low, [9, 12, 16]).transitions).toEqual(['fired:WARNING', '-', 'resolved']);
  });
});

describe('evaluateNoData', () => {
  const rule = { comparison: '>=' as const, warning: 2, critical: 3 };
  it('fires warning at 2 missed intervals, escalates at 3, nothing before', () => {
    expect(evaluateNoData(rule, null, 1.5)).toEqual({ transition: null });
    expect(evaluateNoData(rule, null, 2)).toEqual({ transition: 'fired', severity: 'WARNING' });
    expect(evaluateNoData(rule, { severity: 'WARNING' }, 3.1)).toEqual({ transition: 'escalated' });
    expect(evaluateNoData(rule, { severity: 'CRITICAL' }, 9)).toEqual({ transition: null });
  });

  it('the default rule (critical at 3) fires critical once an agent has missed 3 intervals on the clock', () => {
    const clock = new FakeClock();
    const lastSample = clock.nowMs();
    const intervalMs = 60_000;
    const missed = () => (clock.nowMs() - lastSample) / intervalMs;
    const seeded = { comparison: '>=' as const, warning: null, critical: 3 };
    clock.advance(179_000);
    expect(evaluateNoData(seeded, null, missed())).toEqual({ transition: null });
    clock.advance(1_000);
    expect(evaluateNoData(seeded, null, missed())).toEqual({ transition: 'fired', severity: 'CRITICAL' });
  });
});
