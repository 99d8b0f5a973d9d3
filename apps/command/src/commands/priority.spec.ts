import { describe, expect, it } from 'vitest';
import { commandV1 } from '@fleetplane/contracts/grpc';
import { priorityFromProto, priorityToProto } from './priority.js';

const P = commandV1.Priority;

describe('priority mapping', () => {
  it('maps proto priorities to stored ones, UNSPECIFIED to NORMAL', () => {
    expect(priorityFromProto(P.PRIORITY_CRITICAL)).toBe('CRITICAL');
    expect(priorityFromProto(P.PRIORITY_HIGH)).toBe('HIGH');
    expect(priorityFromProto(P.PRIORITY_NORMAL)).toBe('NORMAL');
    expect(priorityFromProto(P.PRIORITY_LOW)).toBe('LOW');
    expect(priorityFromProto(P.PRIORITY_UNSPECIFIED)).toBe('NORMAL');
    expect(priorityFromProto(undefined)).toBe('NORMAL');
  });

  it('rejects an unknown priority', () => {
    expect(priorityFromProto(P.UNRECOGNIZED)).toBeUndefined();
    expect(priorityFromProto('PRIORITY_URGENT')).toBeUndefined();
  });

  it('maps back to the proto enum', () => {
    for (const p of ['CRITICAL', 'HIGH', 'NORMAL', 'LOW'] as const) expect(priorityFromProto(priorityToProto(p))).toBe(p);
  });
});
