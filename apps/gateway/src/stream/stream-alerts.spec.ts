import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlertEvent } from '@fleetplane/contracts';
import { FakeFeed, openAuthenticatedSession, type FakeSocket } from '../test/stream-session-fakes.js';
import type { StreamSession } from './stream-session.js';

// The alert part of the session: subscribe_alerts, its permission, its filters.

const alert = (over: Partial<AlertEvent>): AlertEvent => ({
  alertId: '11111111-1111-4111-8111-111111111111',
  ruleId: '00000000-0000-4000-8000-000000000001',
  ruleName: 'cpu',
  agentId: 'agent-1',
  metric: 'cpu_percent',
  mount: '',
  state: 'FIRING',
  severity: 'WARNING',
  transition: 'fired',
  value: 85,
  by: null,
  at: '2026-03-01T12:00:00.000Z',
  ...over,
});
describe('StreamSession alerts', () => {
  let socket: FakeSocket;
  let alerts: FakeFeed<AlertEvent>;
  let mayReadTelemetry: boolean;
  let session: StreamSession;
  let say: (frame: unknown) => Promise<void>;

  beforeEach(async () => {
    vi.useFakeTimers();
    alerts = new FakeFeed<AlertEvent>();
    mayReadTelemetry = true;
    ({ socket, session, say } = await openAuthenticatedSession({ alerts, mayReadTelemetry: () => mayReadTelemetry }));
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('pushes no alert before subscribe_alerts, then every transition as alert.<transition>', async () => {
    alerts.publish(alert({}));
    expect(socket.sent).toEqual([]);
    await say({ type: 'subscribe_alerts' });
    expect(socket.sent).toEqual([{ type: 'alerts_subscribed' }]);
    alerts.publish(alert({ transition: 'acknowledged', state: 'ACKNOWLEDGED', by: 'u-2', value: null }));
    expect(socket.sent[1]).toMatchObject({ type: 'alert.acknowledged', by: 'u-2', state: 'ACKNOWLEDGED' });
  });

  it('filters by agent and severity; one frame per event however many filters match', async () => {
    await say({ type: 'subscribe_alerts', agentId: 'agent-2' });
    await say({ type: 'subscribe_alerts', severity: 'CRITICAL' });
    socket.sent = [];
    alerts.publish(alert({ agentId: 'agent-1' }));
    alerts.publish(alert({ agentId: 'agent-2', severity: 'CRITICAL', transition: 'escalated' }));
    alerts.publish(alert({ agentId: 'agent-3', severity: 'CRITICAL' }));
    expect(socket.sent.map((f) => [(f as AlertEvent).agentId, (f as { type: string }).type])).toEqual([
      ['agent-2', 'alert.escalated'],
      ['agent-3', 'alert.fired'],
    ]);
  });

  it('refuses (without closing) a caller that may not read telemetry, and a bad severity naming the field', async () => {
    mayReadTelemetry = false;
    await say({ type: 'subscribe_alerts' });
    expect(socket.sent).toEqual([{ type: 'error', message: 'reading alerts needs role viewer and scope telemetry:read', field: 'type' }]);
    expect(socket.closed).toBeUndefined();
    expect(alerts.listeners.size).toBe(0);
    await say({ type: 'subscribe_alerts', severity: 'LOUD' });
    expect(socket.sent[1]).toMatchObject({ type: 'error', field: 'severity' });
  });

  it('unsubscribe_alerts ends the subscription with exactly those filters; with none left it stops listening', async () => {
    await say({ type: 'subscribe_alerts', agentId: 'agent-2' });
    await say({ type: 'subscribe_alerts', severity: 'CRITICAL' });
    await say({ type: 'unsubscribe_alerts', severity: 'CRITICAL' });
    expect(socket.sent.at(-1)).toEqual({ type: 'alerts_unsubscribed', severity: 'CRITICAL' });
    socket.sent = [];
    alerts.publish(alert({ agentId: 'agent-3', severity: 'CRITICAL' }));
    alerts.publish(alert({ agentId: 'agent-2' }));
    expect(socket.sent.map((f) => (f as AlertEvent).agentId)).toEqual(['agent-2']);
    // One that does not exist: answered the same, changes nothing.
    await say({ type: 'unsubscribe_alerts' });
    expect(socket.sent.at(-1)).toEqual({ type: 'alerts_unsubscribed' });
    expect(alerts.listeners.size).toBe(1);
    await say({ type: 'unsubscribe_alerts', agentId: 'agent-2' });
    expect(alerts.listeners.size).toBe(0);
    socket.sent = [];
    alerts.publish(alert({ agentId: 'agent-2' }));
    expect(socket.sent).toEqual([]);
    // Subscribing again listens again.
    await say({ type: 'subscribe_alerts' });
    alerts.publish(alert({}));
    expect(socket.sent.map((f) => (f as { type: string }).type)).toEqual(['alerts_subscribed', 'alert.fired']);
  });

  it('stops listening when the socket closes', async () => {
    await say({ type: 'subscribe_alerts' });
    expect(alerts.listeners.size).toBe(1);
    session.close(1000, 'bye');
    expect(alerts.listeners.size).toBe(0);
  });
});
