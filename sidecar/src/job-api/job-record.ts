import type {
  VoiceJob,
  VoiceResult,
  VoiceRunEvent,
  VoiceRunEventBody,
  VoiceTranscriptEntry,
} from "@spar/protocol";

/** Events kept per job for SSE replay; a call has a few hundred, this bounds a runaway runner. */
export const MAX_EVENTS_PER_JOB = 10_000;

/** One job's in-memory state: status, its event log, and the subscribers waiting on it. */
export class JobRecord {
  readonly job: VoiceJob;
  readonly createdAt: string;
  result: VoiceResult | undefined;
  readonly #events: VoiceRunEvent[] = [];
  #seq = 0;
  #dropped = 0;
  #listeners = new Set<() => void>();

  constructor(job: VoiceJob, createdAt: string) {
    this.job = job;
    this.createdAt = createdAt;
  }

  get finished(): boolean {
    return this.result !== undefined;
  }

  get droppedEvents(): number {
    return this.#dropped;
  }

  /** The transcript as the runner reported it turn by turn (a result the service makes keeps it). */
  turnsSoFar(): VoiceTranscriptEntry[] {
    return this.#events.flatMap((e) =>
      e.type === "turn" ? [{ role: e.role, content: e.content, start_ms: e.start_ms, end_ms: e.end_ms }] : [],
    );
  }

  append(body: VoiceRunEventBody, at: string): VoiceRunEvent | undefined {
    // The closing event is always kept so a subscriber is never left waiting.
    if (this.#events.length >= MAX_EVENTS_PER_JOB && body.type !== "job_finished") {
      this.#dropped += 1;
      return undefined;
    }
    this.#seq += 1;
    const event: VoiceRunEvent = { run_id: this.job.run_id, seq: this.#seq, at, ...body };
    this.#events.push(event);
    for (const l of this.#listeners) l();
    return event;
  }

  finish(result: VoiceResult, at: string): void {
    if (this.result !== undefined) return;
    this.result = result;
    this.append({ type: "job_finished", status: result.status, ended_reason: result.ended_reason }, at);
  }

  /** Events after `afterSeq`, then live ones, ending after `job_finished` or when `signal` aborts. */
  async *events(afterSeq: number, signal: AbortSignal): AsyncGenerator<VoiceRunEvent> {
    let next = afterSeq;
    while (!signal.aborted) {
      const pending = this.#events.filter((e) => e.seq > next);
      for (const e of pending) {
        next = e.seq;
        yield e;
        if (e.type === "job_finished") return;
      }
      if (this.finished) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#listeners.delete(wake);
          signal.removeEventListener("abort", wake);
          resolve();
        };
        this.#listeners.add(wake);
        signal.addEventListener("abort", wake, { once: true });
      });
    }
  }
}
