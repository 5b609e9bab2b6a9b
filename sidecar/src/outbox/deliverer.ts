import type { Clock } from "../media/clock.ts";
import { type BackoffPolicy, retryDelayMs } from "./backoff.ts";
import type { DeliverySender } from "./delivery-sender.ts";
import type { OutboxStore, PendingDelivery } from "./outbox-store.ts";

/** Reads epoch milliseconds: due times are stored in the outbox file and outlive the process. */
export type WallClock = Pick<Clock, "now">;

export type OutboxLog = (event: string, fields: Record<string, string | number>) => void;

export interface OutboxDelivererOptions {
  store: OutboxStore;
  sender: DeliverySender;
  clock: WallClock;
  /** In [0, 1); injected so tests assert exact retry times. */
  random: () => number;
  backoff: BackoffPolicy;
  /** Longest sleep of the loop even when nothing is due (another process may have written rows). */
  pollIntervalMs: number;
  log?: OutboxLog;
}

const BATCH = 16;

/**
 * Drains the outbox: sends each due delivery, records delivered / retry-at / dead. On start it
 * simply picks up whatever is pending in the file, which is how a restarted sidecar resumes.
 * At least once: a crash after the receiver accepted but before `delivered` is written sends
 * again, with the same `Idempotency-Key`.
 */
export class OutboxDeliverer {
  readonly #o: OutboxDelivererOptions;
  readonly #stop = new AbortController();
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: OutboxDelivererOptions) {
    this.#o = options;
  }

  /** One pass over what is due now; returns how many attempts it made. */
  async runOnce(): Promise<number> {
    const due = await this.#o.store.due(this.#o.clock.now(), BATCH);
    for (const d of due) {
      if (this.#stop.signal.aborted) break;
      await this.#attempt(d);
    }
    return due.length;
  }

  async #attempt(d: PendingDelivery): Promise<void> {
    const { store, sender, clock, backoff, log } = this.#o;
    const outcome = await sender.send(d, this.#stop.signal);
    const attempts = d.attempts + 1;
    const now = clock.now();
    const fields = { key: d.idempotencyKey, attempts };
    if (outcome.kind === "delivered") {
      await store.markDelivered(d.id, attempts, now);
      log?.("outbox_delivered", fields);
    } else if (outcome.kind === "permanent" || attempts >= backoff.maxAttempts) {
      await store.markDead(d.id, attempts, outcome.error);
      log?.("outbox_dead", { ...fields, error: outcome.error });
    } else {
      const delay = retryDelayMs(backoff, attempts, this.#o.random(), outcome.retryAfterMs);
      await store.scheduleRetry(d.id, attempts, now + delay, outcome.error);
      log?.("outbox_retry", { ...fields, delay_ms: delay, error: outcome.error });
    }
  }

  /** Starts the background loop (idempotent). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Something was just enqueued: look now rather than at the next poll. */
  notify(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      let wait = this.#o.pollIntervalMs;
      try {
        await this.runOnce();
        const next = await this.#o.store.nextDueAtMs();
        if (next !== undefined) wait = Math.min(wait, Math.max(0, next - this.#o.clock.now()));
      } catch (cause) {
        // A locked or momentarily unreadable file must not kill delivery for the process lifetime;
        // waiting a full poll interval keeps a persistent error from becoming a busy loop.
        this.#o.log?.("outbox_loop_error", { error: cause instanceof Error ? cause.message : String(cause) });
      }
      if (this.#stop.signal.aborted) break;
      await this.#sleep(wait);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}
