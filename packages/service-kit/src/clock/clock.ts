import { Global, Injectable, Module } from '@nestjs/common';

/**
 * Where a service reads the time. Injected everywhere instead of calling
 * `Date.now()`, so tests move time explicitly (see FakeClock) rather than
 * patching fields or globals.
 */
@Injectable()
export class Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number {
    return Date.now();
  }

  now(): Date {
    return new Date(this.nowMs());
  }
}

/** A clock that moves only when told to, for unit tests. */
export class FakeClock extends Clock {
  constructor(private current = Date.parse('2026-01-01T00:00:00.000Z')) {
    super();
  }

  override nowMs(): number {
    return this.current;
  }

  set(at: Date | number): void {
    this.current = typeof at === 'number' ? at : at.getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
