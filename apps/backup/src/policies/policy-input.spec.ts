import { backupV1 } from '@fleetplane/contracts/grpc';
import { describe, expect, it } from 'vitest';
import { progressSnapshot } from '../jobs/job-executor.js';
import { policyFields } from './policy-input.js';

const T = backupV1.BackupType;
const wire = (p: Partial<backupV1.Policy> = {}): backupV1.Policy => ({
  id: '',
  name: 'nightly',
  cron: '0 3 * * *',
  trigger: '',
  type: T.BACKUP_TYPE_FULL,
  sources: [],
  retention: { keepLast: 7, keepHourly: 0, keepDaily: 0, keepWeekly: 4, keepMonthly: 0, keepYearly: 0 },
  enabled: true,
  createdAt: '',
  updatedAt: '',
  ...p,
});
const message = (f: () => unknown) => {
  try {
    f();
    return 'OK';
  } catch (err) {
    return (err as { error?: { message?: string } }).error?.message ?? (err as Error).message;
  }
};

describe('policyFields', () => {
  it('takes a valid policy as it is', () => {
    expect(policyFields(wire({ sources: ['gateway'] }), ['gateway', 'command'])).toMatchObject({
      name: 'nightly',
      cron: '0 3 * * *',
      trigger: null,
      type: 'FULL',
      sources: ['gateway'],
      keepLast: 7,
      keepWeekly: 4,
      enabled: true,
    });
  });

  it.each([
    [{ cron: 'nightly' }, /^policy\.cron: not a cron expression/],
    [{ cron: '0 3 * *' }, /^policy\.cron: needs 5 fields/],
    [{ cron: '', trigger: '' }, /^policy\.cron: a policy needs a cron expression, a trigger, or both/],
    [{ trigger: 'deploy' }, /^policy\.trigger: must be one of migration\.starting/],
    [{ type: T.BACKUP_TYPE_UNSPECIFIED }, /^policy\.type/],
    [{ sources: ['nope'] }, /^policy\.sources: unknown source\(s\) nope/],
    [{ name: 'Nightly Run' }, /^policy\.name/],
    [{ retention: { keepLast: -1, keepHourly: 0, keepDaily: 0, keepWeekly: 0, keepMonthly: 0, keepYearly: 0 } }, /^policy\.retention\.keepLast/],
  ])('refuses %j naming the field', (change, expected) => {
    expect(message(() => policyFields(wire(change), ['gateway']))).toMatch(expected);
  });

  it('an update changes only the masked fields of the current policy', () => {
    const current = { ...policyFields(wire(), ['gateway']), id: 'x', createdAt: new Date(0), updatedAt: new Date(0) };
    const changed = policyFields(wire({ cron: '', enabled: false, name: 'ignored' }), ['gateway'], ['enabled'], current);
    expect(changed).toMatchObject({ name: 'nightly', cron: '0 3 * * *', enabled: false });
  });
});

describe('progressSnapshot', () => {
  const p = { bytesRead: 50, chunks: 2, newChunks: 1, newBytes: 10, bytesStored: 4 };
  it('extrapolates the ETA from the rate so far when the expected size is known', () => {
    expect(progressSnapshot(p, 200, 1000)).toEqual({ bytesRead: 50, bytesStored: 4, dedupRatio: 5, bytesExpected: 200, etaSeconds: 3 });
  });
  it('has no ETA without an expected size or before any byte', () => {
    expect(progressSnapshot(p, 0, 1000).etaSeconds).toBeNull();
    expect(progressSnapshot({ ...p, bytesRead: 0, newBytes: 0 }, 200, 1000)).toMatchObject({ etaSeconds: null, dedupRatio: 0 });
  });
});
