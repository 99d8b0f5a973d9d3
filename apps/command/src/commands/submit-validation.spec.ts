import { describe, expect, it } from 'vitest';
import { commandV1 } from '@fleetplane/contracts/grpc';
import { resolveLimit, validateSubmit } from './submit-validation.js';

const limits = { defaultSeconds: 300, maxSeconds: 3600, defaultTtlSeconds: 3600, maxTtlSeconds: 86_400 };
const valid: commandV1.SubmitCommandRequest = {
  verb: 'exec',
  paramsJson: JSON.stringify({ argv: ['echo', 'hello'] }),
  targetAgentIds: ['agent-1', 'agent-2'],
  priority: commandV1.Priority.PRIORITY_UNSPECIFIED,
  timeoutSeconds: 0,
  requestedBy: 'alice',
  idempotencyKey: '',
  selector: undefined,
  maxConcurrency: undefined,
  maxErrors: undefined,
  ttlSeconds: 0,
};
const check = (override: Partial<commandV1.SubmitCommandRequest>) => validateSubmit({ ...valid, ...override }, limits);
const fieldOf = (override: Partial<commandV1.SubmitCommandRequest>) => {
  const r = check(override);
  return r.ok ? null : r.field;
};

describe(validateSubmit.name, () => {
  it('accepts a valid submit, applying defaults', () => {
    expect(check({})).toEqual({
      ok: true,
      value: {
        verb: 'exec',
        params: { argv: ['echo', 'hello'] },
        targets: { kind: 'ids', ids: ['agent-1', 'agent-2'] },
        priority: 'NORMAL',
        timeoutSeconds: 300,
        ttlSeconds: 3600,
        maxConcurrency: null,
        maxErrors: null,
        requestedBy: 'alice',
        idempotencyKey: null,
      },
    });
  });

  it('keeps an explicit timeout, priority and key', () => {
    const r = check({ timeoutSeconds: 3600, priority: commandV1.Priority.PRIORITY_CRITICAL, idempotencyKey: 'k1' });
    expect(r).toMatchObject({ ok: true, value: { timeoutSeconds: 3600, priority: 'CRITICAL', idempotencyKey: 'k1' } });
  });

  it('applies the verb schema defaults', () => {
    expect(check({ verb: 'docker.ps', paramsJson: '{}' })).toMatchObject({ ok: true, value: { params: { all: false } } });
    expect(check({ verb: 'system.info', paramsJson: '' })).toMatchObject({ ok: true, value: { params: {} } });
  });

  it('names params for JSON that does not parse', () => {
    expect(check({ paramsJson: '{"argv":' })).toMatchObject({ ok: false, field: 'params', message: expect.stringMatching(/not valid JSON/) as unknown });
  });

  it("names the verb's field for invalid parameters, and verb for an unknown verb", () => {
    expect(fieldOf({ paramsJson: JSON.stringify({ argv: [] }) })).toBe('params.argv');
    expect(fieldOf({ paramsJson: JSON.stringify({ argv: ['ls'], shell: 'sh -c' }) })).toBe('params');
    expect(fieldOf({ verb: 'docker.logs', paramsJson: JSON.stringify({ container: '../etc' }) })).toBe('params.container');
    expect(fieldOf({ verb: 'format-disk' })).toBe('verb');
  });

  it('names target_agent_ids for no, duplicate, malformed or too many targets', () => {
    expect(fieldOf({ targetAgentIds: [] })).toBe('target_agent_ids');
    expect(check({ targetAgentIds: ['a', 'b', 'a'] })).toMatchObject({ ok: false, field: 'target_agent_ids', message: 'agent a is listed more than once' });
    expect(fieldOf({ targetAgentIds: ['ok', 'fleet.agents.>'] })).toBe('target_agent_ids[1]');
    expect(fieldOf({ targetAgentIds: Array.from({ length: 100_001 }, (_, i) => `a${i}`) })).toBe('target_agent_ids');
  });

  it('takes a selector instead of ids, and refuses an empty one or both at once', () => {
    const sel = { agentIds: [], site: 'eu', labels: { role: 'web' }, capabilities: [], os: '' };
    expect(check({ targetAgentIds: [], selector: sel })).toMatchObject({
      ok: true,
      value: { targets: { kind: 'selector', selector: { site: 'eu', labels: { role: 'web' } } } },
    });
    expect(fieldOf({ targetAgentIds: [], selector: { ...sel, site: '', labels: {} } })).toBe('selector');
    expect(fieldOf({ selector: sel })).toBe('selector');
    expect(fieldOf({ targetAgentIds: [], selector: { ...sel, agentIds: ['bad id!'] } })).toBe('selector.agent_ids[0]');
    expect(check({ targetAgentIds: [], selector: { ...sel, site: '', labels: {}, connected: false } })).toMatchObject({ ok: true });
  });

  it('takes max concurrency and max errors as counts or percentages, and names what is out of range', () => {
    expect(check({ maxConcurrency: { percent: 10 }, maxErrors: { count: 0 } })).toMatchObject({
      ok: true,
      value: { maxConcurrency: { percent: 10 }, maxErrors: { count: 0 } },
    });
    expect(fieldOf({ maxConcurrency: { count: 0 } })).toBe('max_concurrency.count');
    expect(fieldOf({ maxErrors: { percent: 101 } })).toBe('max_errors.percent');
    expect(fieldOf({ ttlSeconds: 86_401 })).toBe('ttl_seconds');
  });

  it('resolves a percentage against the matched targets, rounding up', () => {
    expect(resolveLimit({ percent: 10 }, 1000, 1)).toBe(100);
    expect(resolveLimit({ percent: 10 }, 5, 1)).toBe(1);
    expect(resolveLimit({ percent: 1 }, 50, 0)).toBe(1);
    expect(resolveLimit({ count: 7 }, 3, 1)).toBe(7);
    expect(resolveLimit(null, 3, 1)).toBeNull();
  });

  it('names timeout_seconds outside 0..max', () => {
    expect(fieldOf({ timeoutSeconds: -1 })).toBe('timeout_seconds');
    expect(fieldOf({ timeoutSeconds: 3601 })).toBe('timeout_seconds');
    expect(fieldOf({ timeoutSeconds: 1.5 })).toBe('timeout_seconds');
  });

  it('names priority, requested_by and idempotency_key when they are unusable', () => {
    expect(fieldOf({ priority: commandV1.Priority.UNRECOGNIZED })).toBe('priority');
    expect(fieldOf({ requestedBy: '  ' })).toBe('requested_by');
    expect(fieldOf({ idempotencyKey: 'k'.repeat(201) })).toBe('idempotency_key');
  });
});
