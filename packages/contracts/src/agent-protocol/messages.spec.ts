import { describe, expect, it } from 'vitest';
import { decodeAgentFrame, decodeHubFrame, frame } from './codec.js';
import { AgentFeature, hasFeature, REFERENCE_AGENT_FEATURES } from './features.js';
import { MAX_OUTPUT_CHUNK_BYTES } from './limits.js';
import type { AgentToHub, HubToAgent } from './messages.js';
import { wireResultStatus } from './result-status.js';

const envelope = () => ({ v: 1, id: 'f-1', ts: new Date().toISOString() });
const inventory = { site: '', os: 'linux', kernel: '6', version: '1', capabilities: [], containerEngine: '', labels: {} };
const reason = (r: { ok: boolean; reason?: string }) => (r.ok ? 'ok' : r.reason);

describe('HELLO features', () => {
  it('is optional, so a HELLO from an older agent still decodes', () => {
    const r = decodeAgentFrame(frame<AgentToHub>({ type: 'HELLO', agentId: 'a', token: 'x'.repeat(32), inventory }));
    expect(r.ok && r.message.type === 'HELLO' && r.message.features).toBeUndefined();
  });

  it('carries the features the reference agent announces', () => {
    const r = decodeAgentFrame(frame<AgentToHub>({ type: 'HELLO', agentId: 'a', token: 'x'.repeat(32), inventory, features: [...REFERENCE_AGENT_FEATURES] }));
    expect(r.ok && r.message.type === 'HELLO' && r.message.features).toEqual(['cancel', 'output', 'result-ack']);
  });

  it('refuses more than 32 features, or a name longer than 64', () => {
    const hello = (features: string[]) => JSON.stringify({ ...envelope(), type: 'HELLO', agentId: 'a', token: 'x'.repeat(32), inventory, features });
    expect(reason(decodeAgentFrame(hello(Array.from({ length: 33 }, (_, i) => `f${i}`))))).toMatch(/^features:/);
    expect(reason(decodeAgentFrame(hello(['x'.repeat(65)])))).toMatch(/^features\.0:/);
  });

  it('HELLO_ACK says which of them the hub uses on this session; an older hub says nothing', () => {
    const ack = (extra: Record<string, unknown>) =>
      decodeHubFrame(frame<HubToAgent>({ type: 'HELLO_ACK', sessionId: 's', heartbeatIntervalMs: 1, telemetryIntervalMs: 1, ...extra }));
    const r = ack({ features: ['output', 'result-ack'] });
    expect(r.ok && r.message.type === 'HELLO_ACK' && r.message.features).toEqual(['output', 'result-ack']);
    const old = ack({});
    expect(old.ok && old.message.type === 'HELLO_ACK' && old.message.features).toBeUndefined();
  });

  it('hasFeature reads an absent list as none', () => {
    expect(hasFeature(undefined, AgentFeature.Cancel)).toBe(false);
    expect(hasFeature(['output'], AgentFeature.Output)).toBe(true);
  });
});

describe('COMMAND priority and output cap', () => {
  const command = (extra: Record<string, unknown>) =>
    JSON.stringify({ ...envelope(), type: 'COMMAND', executionId: 'e1', commandId: 'c1', verb: 'exec', params: {}, timeoutSeconds: 5, ...extra });

  it('accepts both, and neither', () => {
    const r = decodeHubFrame(command({ priority: 'CRITICAL', outputCapBytes: 16 * 1024 * 1024 }));
    expect(r.ok && r.message.type === 'COMMAND' && [r.message.priority, r.message.outputCapBytes]).toEqual(['CRITICAL', 16 * 1024 * 1024]);
    expect(decodeHubFrame(command({})).ok).toBe(true);
  });

  it('refuses an unknown priority and a cap that is not a positive integer', () => {
    expect(reason(decodeHubFrame(command({ priority: 'URGENT' })))).toMatch(/^priority:/);
    expect(reason(decodeHubFrame(command({ outputCapBytes: 0 })))).toMatch(/^outputCapBytes:/);
    expect(reason(decodeHubFrame(command({ outputCapBytes: 1.5 })))).toMatch(/^outputCapBytes:/);
  });
});

describe('CANCEL', () => {
  it('decodes with and without a grace period', () => {
    expect(decodeHubFrame(frame<HubToAgent>({ type: 'CANCEL', executionId: 'e1' })).ok).toBe(true);
    const r = decodeHubFrame(frame<HubToAgent>({ type: 'CANCEL', executionId: 'e1', graceMs: 60_000 }));
    expect(r.ok && r.message.type === 'CANCEL' && r.message.graceMs).toBe(60_000);
  });

  it('refuses a grace period above 60 s or below 0, and a missing execution id', () => {
    const cancel = (extra: Record<string, unknown>) => JSON.stringify({ ...envelope(), type: 'CANCEL', executionId: 'e1', ...extra });
    expect(reason(decodeHubFrame(cancel({ graceMs: 60_001 })))).toMatch(/^graceMs:/);
    expect(reason(decodeHubFrame(cancel({ graceMs: -1 })))).toMatch(/^graceMs:/);
    expect(reason(decodeHubFrame(JSON.stringify({ ...envelope(), type: 'CANCEL' })))).toMatch(/^executionId:/);
  });
});

describe('RESULT_ACK', () => {
  it('decodes, and names a bad execution id', () => {
    expect(decodeHubFrame(frame<HubToAgent>({ type: 'RESULT_ACK', executionId: 'e1' })).ok).toBe(true);
    expect(reason(decodeHubFrame(JSON.stringify({ ...envelope(), type: 'RESULT_ACK', executionId: 'a.b' })))).toMatch(/^executionId:/);
  });

  it('is a hub frame only: an agent cannot send it', () => {
    expect(reason(decodeAgentFrame(frame<HubToAgent>({ type: 'RESULT_ACK', executionId: 'e1' })))).toMatch(/^type:/);
  });
});

describe('OUTPUT', () => {
  const output = (extra: Record<string, unknown>) =>
    JSON.stringify({ ...envelope(), type: 'OUTPUT', executionId: 'e1', stream: 'stdout', seq: 0, offset: 0, data: 'aGk=', ...extra });

  it('decodes a piece of stdout', () => {
    const r = decodeAgentFrame(output({}));
    expect(r.ok && r.message.type === 'OUTPUT' && Buffer.from(r.message.data, 'base64').toString()).toBe('hi');
  });

  it('takes exactly 64 KiB of data and refuses one byte more', () => {
    expect(decodeAgentFrame(output({ data: Buffer.alloc(MAX_OUTPUT_CHUNK_BYTES).toString('base64') })).ok).toBe(true);
    expect(reason(decodeAgentFrame(output({ data: Buffer.alloc(MAX_OUTPUT_CHUNK_BYTES + 1).toString('base64') })))).toMatch(/^data:/);
  });

  it('refuses data that is not base64, a third stream, and negative or fractional counters', () => {
    expect(reason(decodeAgentFrame(output({ data: 'not base64!' })))).toMatch(/^data:/);
    expect(reason(decodeAgentFrame(output({ stream: 'stdin' })))).toMatch(/^stream:/);
    expect(reason(decodeAgentFrame(output({ seq: -1 })))).toMatch(/^seq:/);
    expect(reason(decodeAgentFrame(output({ offset: 0.5 })))).toMatch(/^offset:/);
  });
});

describe('RESULT outputBytes', () => {
  it('carries the totals produced, and refuses a negative one', () => {
    const result = (outputBytes: unknown) =>
      JSON.stringify({ ...envelope(), type: 'RESULT', executionId: 'e1', status: 'COMPLETED', exitCode: 0, outputBytes });
    const r = decodeAgentFrame(result({ stdout: 10, stderr: 0 }));
    expect(r.ok && r.message.type === 'RESULT' && r.message.outputBytes).toEqual({ stdout: 10, stderr: 0 });
    expect(reason(decodeAgentFrame(result({ stdout: -1, stderr: 0 })))).toMatch(/^outputBytes\.stdout:/);
  });
});

describe('wireResultStatus', () => {
  it('reports a newer final status as FAILED to a hub that names no feature (an older one)', () => {
    expect(wireResultStatus('CANCELLED', false)).toBe('FAILED');
    expect(wireResultStatus('REJECTED', false)).toBe('FAILED');
  });

  it('keeps the statuses every hub knows', () => {
    for (const s of ['RUNNING', 'COMPLETED', 'FAILED', 'TIMED_OUT'] as const) expect(wireResultStatus(s, false)).toBe(s);
  });
});
