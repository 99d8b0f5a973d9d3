import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import type { AlertDetail, AlertRule } from './alert-schemas.js';
import { formatAlert, formatAlerts, formatRules, parseFor, ruleBody } from './alerts.js';

const alert: AlertDetail = {
  id: '11111111-1111-4111-8111-111111111111',
  ruleId: '00000000-0000-4000-8000-000000000003',
  ruleName: 'disk',
  agentId: 'web-1',
  metric: 'disk_percent',
  mount: '/var',
  state: 'ACKNOWLEDGED',
  severity: 'CRITICAL',
  openedValue: 96.25,
  lastValue: 97,
  openedAt: '2026-03-01T12:00:00.000Z',
  acknowledgedAt: '2026-03-01T12:05:00.000Z',
  acknowledgedBy: 'u-1',
  resolvedAt: null,
  resolvedBy: null,
  history: [
    { transition: 'fired', state: 'FIRING', severity: 'CRITICAL', value: 96.25, by: null, at: '2026-03-01T12:00:00.000Z' },
    { transition: 'acknowledged', state: 'ACKNOWLEDGED', severity: 'CRITICAL', value: null, by: 'u-1', at: '2026-03-01T12:05:00.000Z' },
  ],
};

describe('alerts CLI', () => {
  it('turns rule options into the REST body: only what was given, none clears a threshold, durations in seconds', () => {
    expect(ruleBody({ warning: '80', critical: 'none', for: '5m', agent: ['a', 'b'], label: ['env=prod'] })).toEqual({
      warning: 80,
      critical: null,
      forSeconds: 300,
      scope: { agentIds: ['a', 'b'], site: '', labels: { env: 'prod' } },
    });
    expect(ruleBody({ disabled: true })).toEqual({ enabled: false });
    expect(parseFor('90')).toBe(90);
    expect(parseFor('2h')).toBe(7200);
  });

  it('refuses bad options before asking the gateway', () => {
    expect(() => ruleBody({ warning: 'high' })).toThrow(UsageError);
    expect(() => ruleBody({ comparison: '=' })).toThrow(/--comparison/);
    expect(() => ruleBody({ label: ['nokey'] })).toThrow(/key=value/);
    expect(() => parseFor('5 minutes')).toThrow(/--for/);
  });

  it('prints alerts as a table (agent:mount for a disk alert) and one alert with its history', () => {
    const table = formatAlerts([alert]);
    expect(table.split('\n')[0]).toMatch(/^ID\s+STATE\s+SEVERITY\s+RULE\s+AGENT\s+VALUE\s+OPENED$/);
    expect(table).toContain('web-1:/var');
    expect(formatAlerts([])).toBe('no alerts\n');
    const one = formatAlert(alert);
    expect(one).toMatch(/^acknowledged:\s+2026-03-01T12:05:00.000Z by u-1$/m);
    expect(one).toMatch(/^2026-03-01T12:00:00.000Z\s+fired\s+CRITICAL\s+96.3\s+-$/m);
  });

  it('prints rules with their thresholds and scope', () => {
    const rule: AlertRule = {
      id: 'r',
      name: 'cpu',
      metric: 'cpu_percent',
      comparison: '>',
      warning: 80,
      critical: 95,
      clear: 75,
      forSeconds: 300,
      scope: { agentIds: [], site: 'lab', labels: {} },
      enabled: true,
      builtin: true,
      createdAt: '',
      updatedAt: '',
    };
    expect(formatRules([rule])).toMatch(/^r\s+cpu\s+cpu_percent >\s+80\/95\s+75\s+300s\s+site lab\s+yes$/m);
  });
});
