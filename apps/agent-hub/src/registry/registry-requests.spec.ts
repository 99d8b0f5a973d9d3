import { describe, expect, it } from 'vitest';
import { RpcException } from '@nestjs/microservices';
import { status } from '@grpc/grpc-js';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import { canonicalFilter, filterScope } from './agent-filter.js';
import { parseListFilter, parseSelectRequest, SELECT_PAGE_SIZE } from './registry-requests.js';

const selector = (over: Partial<agentHubV1.AgentSelector>): agentHubV1.AgentSelector => ({
  agentIds: [],
  site: '',
  labels: {},
  capabilities: [],
  os: '',
  connectedOnly: false,
  disconnectedOnly: false,
  all: false,
  ...over,
});

/** The INVALID_ARGUMENT message `fn` throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RpcException);
    const e = (err as RpcException).getError() as { code: number; message: string };
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    return e.message;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe(parseListFilter.name, () => {
  it('drops empty fields: an empty request matches every agent', () => {
    expect(parseListFilter({})).toEqual({});
    expect(parseListFilter({ site: '', labels: {}, capabilities: [], os: '', lastSeenAfter: '' })).toEqual({});
  });

  it('reads every filter field', () => {
    expect(
      parseListFilter({
        site: 'par',
        labels: { role: 'web' },
        capabilities: ['exec'],
        os: 'linux',
        version: '1.2.3',
        disconnectedOnly: true,
        lastSeenBefore: '2026-01-02T00:00:00Z',
        lastSeenAfter: '2026-01-01T00:00:00+01:00',
      }),
    ).toEqual({
      site: 'par',
      labels: { role: 'web' },
      capabilities: ['exec'],
      os: 'linux',
      version: '1.2.3',
      connected: false,
      seenBefore: new Date('2026-01-02T00:00:00Z'),
      seenAfter: new Date('2025-12-31T23:00:00Z'),
    });
    expect(parseListFilter({ connectedOnly: true })).toEqual({ connected: true });
  });

  it('names the field it refuses', () => {
    expect(refusal(() => parseListFilter({ connectedOnly: true, disconnectedOnly: true }))).toBe('disconnected_only: cannot be combined with connected_only');
    expect(refusal(() => parseListFilter({ lastSeenBefore: 'yesterday' }))).toMatch(/^last_seen_before: /);
    expect(refusal(() => parseListFilter({ labels: { '': 'x' } }))).toMatch(/^labels/);
    expect(refusal(() => parseListFilter({ capabilities: [''] }))).toMatch(/^capabilities\.0: /);
  });
});

describe(parseSelectRequest.name, () => {
  it('ANDs the selector fields into one filter, 1,000 agents a message by default', () => {
    const r = parseSelectRequest({
      selector: selector({ agentIds: ['a', 'b'], site: 'par', labels: { role: 'web' }, capabilities: ['exec'], os: 'linux', connectedOnly: true }),
      pageSize: 0,
    });
    expect(r).toEqual({
      filter: { agentIds: ['a', 'b'], site: 'par', labels: { role: 'web' }, capabilities: ['exec'], os: 'linux', connected: true },
      pageSize: SELECT_PAGE_SIZE,
    });
  });

  it('selects the whole fleet only when told so with all', () => {
    expect(refusal(() => parseSelectRequest({ selector: selector({}), pageSize: 0 }))).toBe('selector: names no agents: give at least one field, or all');
    expect(refusal(() => parseSelectRequest({ pageSize: 0 }))).toMatch(/^selector: /);
    expect(parseSelectRequest({ selector: selector({ all: true }), pageSize: 0 }).filter).toEqual({});
  });

  it('caps the page size at 1,000 and refuses a negative one', () => {
    expect(parseSelectRequest({ selector: selector({ all: true }), pageSize: 50_000 }).pageSize).toBe(1_000);
    expect(parseSelectRequest({ selector: selector({ all: true }), pageSize: 10 }).pageSize).toBe(10);
    expect(refusal(() => parseSelectRequest({ selector: selector({ all: true }), pageSize: -1 }))).toMatch(/^page_size: /);
  });

  it('refuses ids that are not agent ids, too many ids, and both presence flags', () => {
    expect(refusal(() => parseSelectRequest({ selector: selector({ agentIds: ['a.b'] }), pageSize: 0 }))).toMatch(/^selector\.agent_ids\.0: /);
    const many = Array.from({ length: 100_001 }, (_, i) => `a-${i}`);
    expect(refusal(() => parseSelectRequest({ selector: selector({ agentIds: many }), pageSize: 0 }))).toBe('selector.agent_ids: at most 100000 ids');
    expect(refusal(() => parseSelectRequest({ selector: selector({ connectedOnly: true, disconnectedOnly: true }), pageSize: 0 }))).toBe(
      'selector.disconnected_only: cannot be combined with connected_only',
    );
  });
});

describe(filterScope.name, () => {
  it('is the same for the same filter in any order, and differs for any other', () => {
    const a = filterScope({ labels: { a: '1', b: '2' }, capabilities: ['x', 'y'] });
    expect(filterScope({ capabilities: ['y', 'x'], labels: { b: '2', a: '1' } })).toBe(a);
    expect(filterScope({ labels: { a: '1', b: '3' }, capabilities: ['x', 'y'] })).not.toBe(a);
    expect(filterScope({ seenAfter: new Date(0) })).not.toBe(filterScope({ seenAfter: new Date(1) }));
    expect(a).toHaveLength(22);
    expect(canonicalFilter({ agentIds: ['b', 'a', 'b'] })).toEqual({ agentIds: ['a', 'b'] });
  });
});
