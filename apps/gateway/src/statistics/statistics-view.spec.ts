import { describe, expect, it } from 'vitest';
import { commandV1 } from '@fleetplane/contracts/grpc';
import { FakeClock } from '@fleetplane/service-kit';
import { toStatisticsView } from './statistics-view.js';
import { statisticsView } from './statistics.schemas.js';

const S = commandV1.CommandState;
const clock = new FakeClock(Date.parse('2026-03-01T12:34:56.000Z'));
const minutes = Array.from({ length: 60 }, (_, i) => ({
  minute: new Date(Date.parse('2026-03-01T11:35:00.000Z') + i * 60_000).toISOString(),
  count: i === 59 ? 4 : 0,
}));

describe(toStatisticsView.name, () => {
  const view = toStatisticsView(
    {
      agents: { total: 3, connected: 1 },
      bySite: [
        { key: 'par', total: 2, connected: 1 },
        { key: '', total: 1, connected: 0 },
      ],
      byOs: [{ key: 'linux', total: 3, connected: 1 }],
      generatedAt: '2026-03-01T12:34:55.000Z',
    },
    {
      lastHour: {
        total: 2,
        byState: [
          { state: S.COMMAND_STATE_COMPLETED, count: 1 },
          { state: S.COMMAND_STATE_FAILED, count: 1 },
        ],
      },
      lastDay: {
        total: 3,
        byState: [
          { state: S.COMMAND_STATE_COMPLETED, count: 2 },
          { state: 'COMMAND_STATE_PAUSED' as commandV1.CommandState, count: 1 },
        ],
      },
      executionsPerMinute: minutes,
      generatedAt: '2026-03-01T12:34:55.000Z',
    },
    clock.now(),
  );

  it('names groups by site and os, and fills every state, zeros included, dropping states it does not know', () => {
    expect(view.agents).toEqual({
      total: 3,
      connected: 1,
      bySite: [
        { site: 'par', total: 2, connected: 1 },
        { site: '', total: 1, connected: 0 },
      ],
      byOs: [{ os: 'linux', total: 3, connected: 1 }],
    });
    expect(view.commands.lastHour).toEqual({
      total: 2,
      byState: { PENDING: 0, QUEUED: 0, DISPATCHED: 0, RUNNING: 0, COMPLETED: 1, FAILED: 1, CANCELLED: 0, TIMED_OUT: 0, SKIPPED: 0, EXPIRED: 0 },
    });
    expect(view.commands.lastDay.byState.COMPLETED).toBe(2);
    expect(Object.keys(view.commands.lastDay.byState)).not.toContain('PAUSED');
  });

  it("keeps command's 60 minutes as they are, stamps the gateway's time; alerts unknown (null) when telemetry did not answer", () => {
    expect(view.executionsPerMinute).toEqual(minutes);
    expect(view.generatedAt).toBe('2026-03-01T12:34:56.000Z');
    expect(view.alerts).toEqual({ firing: null });
  });

  it("counts telemetry's open alerts", () => {
    const none = toStatisticsView(
      { agents: undefined, bySite: [], byOs: [], generatedAt: '' },
      { lastHour: undefined, lastDay: undefined, executionsPerMinute: [], generatedAt: '' },
      new Date(0),
      4,
    );
    expect(none.alerts).toEqual({ firing: 4 });
  });

  it('matches the documented schema, also for peers that answered nothing', () => {
    expect(statisticsView.safeParse(view).error).toBeUndefined();
    expect(
      statisticsView.safeParse(
        toStatisticsView(
          { agents: undefined, bySite: [], byOs: [], generatedAt: '' },
          { lastHour: undefined, lastDay: undefined, executionsPerMinute: [], generatedAt: '' },
          clock.now(),
        ),
      ).error,
    ).toBeUndefined();
  });
});
