import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@fleetplane/service-kit';
import { ExecutionTransitions } from '../executions/execution-transitions.js';
import { FakeCommandRepository } from '../testing/fake-command-repository.js';
import { FakeEvents } from '../testing/fake-events.js';
import { testMetrics } from '../testing/test-metrics.js';
import { DeadlineService } from './deadline.service.js';

describe(DeadlineService.name, () => {
  let repo: FakeCommandRepository;
  let service: DeadlineService;
  let executionId: string;
  const created = Date.parse('2026-03-01T12:00:00Z');

  beforeEach(async () => {
    repo = new FakeCommandRepository();
    const transitions = new ExecutionTransitions(repo.asRepository(), new FakeEvents().asNats());
    service = new DeadlineService(repo.asRepository(), transitions, new FakeClock(created + 35_000), testMetrics());
    const cmd = await repo.seedExecCommand(new Date(created), ['sleep', '100']);
    executionId = cmd.executions[0]!.id;
  });

  it('times out an execution still running at its deadline', async () => {
    repo.executions.get(executionId)!.state = 'RUNNING';
    expect(await service.expire(executionId)).toBe(true);
    expect(repo.executions.get(executionId)).toMatchObject({ state: 'TIMED_OUT', error: 'no result within 35 s', finishedAt: new Date(created + 35_000) });
  });

  it('leaves a finished execution as it is', async () => {
    await repo.finish(executionId, { state: 'COMPLETED', finishedAt: new Date(created + 1000), exitCode: 0 });
    expect(await service.expire(executionId)).toBe(false);
    expect(repo.executions.get(executionId)).toMatchObject({ state: 'COMPLETED', error: '' });
  });

  it('does nothing for an execution that no longer exists', async () => {
    expect(await service.expire('00000000-0000-4000-8000-000000000000')).toBe(false);
  });
});
