import { describe, expect, it } from 'vitest';
import { isDependencyUnavailable } from '@fleetplane/service-kit/grpc';
import { asReachabilityError } from './raw-query-errors.js';

const rawFailure = (kind: string) =>
  Object.assign(new Error('Raw query failed'), { code: 'P2010', meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind } } } });

describe(asReachabilityError.name, () => {
  it('turns a raw query that could not reach the database into a failure the gRPC filter answers UNAVAILABLE', () => {
    const err = rawFailure('DatabaseNotReachable');
    expect(isDependencyUnavailable(err)).toBe(false);
    expect(isDependencyUnavailable(asReachabilityError(err))).toBe(true);
  });

  it('leaves every other failure as it is', () => {
    const syntax = rawFailure('postgres');
    const other = new Error('boom');
    expect(asReachabilityError(syntax)).toBe(syntax);
    expect(asReachabilityError(other)).toBe(other);
  });
});
