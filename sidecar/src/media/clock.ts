/**
 * Milliseconds on one monotonic timeline, and timers on the same timeline; injected so timing
 * code is tested with exact numbers (a ManualClock fires each timer at its due time, to the ms).
 */
export interface Clock {
  now(): number;
  /** Calls `fire` once the clock reaches `dueAtMs` (at once when it is past); returns a cancel. */
  setTimer(dueAtMs: number, fire: () => void): () => void;
}

/** A clock read from `now`, with real timers: the process's (unref'd timers never keep it alive). */
export function realClock(now: () => number): Clock {
  return {
    now,
    setTimer(dueAtMs, fire) {
      const timer = setTimeout(fire, Math.max(0, dueAtMs - now()));
      return () => clearTimeout(timer);
    },
  };
}

/** The process's monotonic clock (performance.now), never wall time, so NTP steps cannot skew turns. */
export const monotonicClock: Clock = realClock(() => performance.now());

interface ManualTimer {
  dueAtMs: number;
  order: number;
  fire: () => void;
}

/** A clock tests move by hand: `advance` fires every timer due on the way, in due order, at its due time. */
export class ManualClock implements Clock {
  private readonly timers: ManualTimer[] = [];
  private order = 0;

  constructor(private ms = 0) {}

  now(): number {
    return this.ms;
  }

  setTimer(dueAtMs: number, fire: () => void): () => void {
    const timer = { dueAtMs, order: this.order++, fire };
    this.timers.push(timer);
    return () => {
      const i = this.timers.indexOf(timer);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  /** Timers not yet fired nor cancelled. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  advance(ms: number): void {
    this.set(this.ms + ms);
  }

  set(ms: number): void {
    for (let next = this.nextDue(ms); next; next = this.nextDue(ms)) {
      this.timers.splice(this.timers.indexOf(next), 1);
      this.ms = Math.max(this.ms, next.dueAtMs);
      next.fire();
    }
    this.ms = ms;
  }

  private nextDue(untilMs: number): ManualTimer | undefined {
    let next: ManualTimer | undefined;
    for (const t of this.timers) {
      if (t.dueAtMs > untilMs) continue;
      if (!next || t.dueAtMs < next.dueAtMs || (t.dueAtMs === next.dueAtMs && t.order < next.order)) next = t;
    }
    return next;
  }
}
