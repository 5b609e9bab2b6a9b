/** Milliseconds on one monotonic timeline; injected so timing code is tested with exact numbers. */
export interface Clock {
  now(): number;
}

/** The process's monotonic clock (performance.now), never wall time, so NTP steps cannot skew turns. */
export const monotonicClock: Clock = { now: () => performance.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private ms = 0) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
}
