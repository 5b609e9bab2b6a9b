/**
 * Write-behind for runs' starts and events: what every run a host holds reports waits here at
 * most `flushEveryMs` (or until `maxEvents` wait) and is then stored together — one statement
 * for the starts, one for the events — so 100 runs starting and saying 10 things each cost a
 * few writes, not 1,100: on a local SQLite file each write is a commit that blocks the thread
 * the runs live on, and a run's start no longer waits for one before it connects.
 *
 * Durability: a start or event reaches storage within `flushEveryMs` of being added (plus the
 * write already under way, if any), so a kill -9 loses at most that window; a run the window
 * left `queued` ends `failed` at the next start like any run in flight. The holder flushes
 * before it stores a run's ending, so a stored result never lacks the events before it.
 * Writes run one after another, so each run's events are stored in the order they were added.
 */
import type { SparDatabase } from "../db/database.ts";
import { appendRunEvents, type NewRunEvent } from "../db/repositories/run-events.ts";
import { type RunStart, startRuns } from "../db/repositories/runs.ts";

/** Runs `task` after `ms`; the answer cancels it. setTimeout by default, a manual clock in tests. */
export type Schedule = (task: () => void, ms: number) => () => void;

export interface RunEventBufferOptions {
  db: SparDatabase;
  /** The longest an event waits in memory: the window a kill -9 can lose. */
  flushEveryMs: number;
  /** A write starts at once when this many starts and events wait: it bounds a write and the memory. */
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
  private starts: RunStart[] = [];
  private cancelTimer: (() => void) | undefined;
  private writes: Promise<void> = Promise.resolve();
  private readonly schedule: Schedule;

  constructor(private readonly o: RunEventBufferOptions) {
    this.schedule = o.schedule ?? timeout;
  }

  /** Starts and events added and not yet handed to a write. */
  get size(): number {
    return this.starts.length + this.waiting.length;
  }

  /** queued → running with its deadline; stored before any event added after it. */
  addStart(start: RunStart): void {
    this.starts.push(start);
    this.due();
  }

  add(event: NewRunEvent): void {
    this.waiting.push(event);
    this.due();
  }

  private due(): void {
    if (this.size >= this.o.maxEvents) {
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
    const starts = this.starts;
    const batch = this.waiting;
    this.starts = [];
    this.waiting = [];
    if (starts.length + batch.length > 0) this.writes = this.writes.then(() => this.write(starts, batch));
    return this.writes;
  }

  private async write(starts: RunStart[], batch: NewRunEvent[]): Promise<void> {
    try {
      await startRuns(this.o.db, starts);
    } catch (cause) {
      this.o.log(`the starts of ${starts.length} runs could not be stored`, cause);
    }
    try {
      await appendRunEvents(this.o.db, batch);
    } catch (cause) {
      const runs = new Set(batch.map((e) => e.runId)).size;
      this.o.log(`${batch.length} events of ${runs} runs could not be stored`, cause);
    }
  }
}
