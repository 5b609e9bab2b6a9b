/**
 * Write-behind for run events: the events of every run a host holds wait here at most
 * `flushEveryMs` (or until `maxEvents` wait) and are then stored together in one statement,
 * so 100 runs saying 10 things each cost a few writes, not 1,000 — on a local SQLite file each
 * write is a commit that blocks the thread the runs live on.
 *
 * Durability: an event reaches storage within `flushEveryMs` of being added (plus the write
 * already under way, if any), so a kill -9 loses at most that window of events; the run's
 * ending flushes its events first, so a stored result never lacks the events before it.
 * Writes run one after another, so each run's events are stored in the order they were added.
 */
import type { SparDatabase } from "../db/database.ts";
import { appendRunEvents, type NewRunEvent } from "../db/repositories/run-events.ts";

/** Runs `task` after `ms`; the answer cancels it. setTimeout by default, a manual clock in tests. */
export type Schedule = (task: () => void, ms: number) => () => void;

export interface RunEventBufferOptions {
  db: SparDatabase;
  /** The longest an event waits in memory: the window a kill -9 can lose. */
  flushEveryMs: number;
  /** A write starts at once when this many events wait, which bounds a write and the memory. */
  maxEvents: number;
  /** Events that could not be stored are logged, never thrown at the run that said them. */
  log: (message: string, cause: unknown) => void;
  schedule?: Schedule;
}

/** 100 ms: below the 200 ms at which the SSE stream polls, so live streams barely notice. */
export const DEFAULT_FLUSH_EVERY_MS = 100;
export const DEFAULT_MAX_BUFFERED_EVENTS = 500;

const timeout: Schedule = (task, ms) => {
  const handle = setTimeout(task, ms);
  return () => clearTimeout(handle);
};

export class RunEventBuffer {
  private waiting: NewRunEvent[] = [];
  private cancelTimer: (() => void) | undefined;
  private writes: Promise<void> = Promise.resolve();
  private readonly schedule: Schedule;

  constructor(private readonly o: RunEventBufferOptions) {
    this.schedule = o.schedule ?? timeout;
  }

  /** Events added and not yet handed to a write. */
  get size(): number {
    return this.waiting.length;
  }

  add(event: NewRunEvent): void {
    this.waiting.push(event);
    if (this.waiting.length >= this.o.maxEvents) {
      void this.flush();
      return;
    }
    this.cancelTimer ??= this.schedule(() => {
      this.cancelTimer = undefined;
      void this.flush();
    }, this.o.flushEveryMs);
  }

  /**
   * Stores every event added before this call; resolves once they are stored (or logged as
   * lost). Never rejects.
   */
  flush(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length > 0) this.writes = this.writes.then(() => this.write(batch));
    return this.writes;
  }

  private async write(batch: NewRunEvent[]): Promise<void> {
    try {
      await appendRunEvents(this.o.db, batch);
    } catch (cause) {
      const runs = new Set(batch.map((e) => e.runId)).size;
      this.o.log(`${batch.length} events of ${runs} runs could not be stored`, cause);
    }
  }
}
