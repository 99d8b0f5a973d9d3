import { describe, expect, it } from 'vitest';
import { decodeAgentFrame, decodeHubFrame, frame } from './codec.js';
import type { AgentToHub, HubToAgent } from './messages.js';

describe('agent protocol codec', () => {
  it('round-trips a HELLO with the envelope filled in', () => {
    const raw = frame<AgentToHub>({
      type: 'HELLO',
      agentId: 'web-1',
      token: 'x'.repeat(32),
      inventory: { site: 'par', os: 'linux', kernel: '6.1', version: '0.1.0', capabilities: ['exec'], containerEngine: '', labels: {} },
    });
    const decoded = decodeAgentFrame(raw);
    expect(decoded.ok).toBe(true);
    if (decoded.ok) {
      expect(decoded.message.type).toBe('HELLO');
      expect(decoded.message.v).toBe(1);
      expect(decoded.message.id).toMatch(/[0-9a-f-]{36}/);
    }
  });

  it('rejects non-JSON', () => {
    expect(decodeAgentFrame('{not json')).toEqual({ ok: false, reason: 'frame is not JSON' });
  });

  it('rejects an unknown message type and names the field', () => {
    const r = decodeAgentFrame(JSON.stringify({ v: 1, id: 'a', ts: new Date().toISOString(), type: 'REBOOT' }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^type:/);
  });

  it('rejects a frame from another protocol version', () => {
    const r = decodeAgentFrame(JSON.stringify({ v: 2, id: 'a', ts: new Date().toISOString(), type: 'HEARTBEAT' }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^v:/);
  });

  it('refuses an agent id that is not a safe subject token', () => {
    const r = decodeAgentFrame(
      frame<AgentToHub>({
        type: 'HELLO',
        agentId: 'a.b>',
        token: 'x'.repeat(32),
        inventory: { site: '', os: 'linux', kernel: '6', version: '1', capabilities: [], containerEngine: '', labels: {} },
      }),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^agentId:/);
  });

  it('decodes a COMMAND carrying trace context', () => {
    const raw = frame<HubToAgent>({
      type: 'COMMAND',
      executionId: 'e1',
      commandId: 'c1',
      verb: 'exec',
      params: { argv: ['echo', 'hi'] },
      timeoutSeconds: 5,
      trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    const r = decodeHubFrame(raw);
    expect(r.ok && r.message.type === 'COMMAND' && r.message.trace?.traceparent).toMatch(/^00-0af7/);
  });
});
