/**
 * Node's TextRunHost: each run an in-process actor holding its outbound X-RUBRIC socket (the
 * session core inside `runTextScenario`), at most `perWorkspace` at once per workspace, the
 * rest queued in order. The agent URL is checked against the outbound policy at connect time
 * (after DNS); a refused URL fails the run `connection_failed` without connecting.
 */
import {
  type RunRecorder,
  type TextRunHost,
  type TextRunJob,
  textRunInputOf,
} from "../../runs/text-run-host.ts";
import { runTextScenario } from "../../text-run/run-text-scenario.ts";
import { refusedReport } from "../../text-run/text-run-report.ts";

export interface InProcessTextRunHostOptions {
  recorder: RunRecorder;
  /** Runs at once per workspace. */
  perWorkspace: number;
  /** Why the agent's URL may not be called right now (policy, after DNS), or undefined. */
  checkUrl: (url: string) => Promise<string | undefined>;
  now: () => number;
  log: (message: string, cause: unknown) => void;
  connectTimeoutMs?: number;
  closeGraceMs?: number;
}

export class InProcessTextRunHost implements TextRunHost {
  private readonly queues = new Map<number, TextRunJob[]>();
  private readonly running = new Map<number, number>();
  private readonly active = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  /** Each held run (queued or running): its own abort, and its recording once it has started. */
  private readonly held = new Map<number, { abort: AbortController; done?: Promise<void> }>();

  constructor(private readonly o: InProcessTextRunHostOptions) {}

  get pending(): number {
    let queued = 0;
    for (const q of this.queues.values()) queued += q.length;
    return queued + this.active.size;
  }

  submit(job: TextRunJob): void {
    this.held.set(job.runId, { abort: new AbortController() });
    const queue = this.queues.get(job.workspaceId) ?? [];
    queue.push(job);
    this.queues.set(job.workspaceId, queue);
    this.pump(job.workspaceId);
  }

  async stop(reason: string): Promise<void> {
    this.abort.abort(new Error(reason));
    // Queued runs start, see the aborted signal and end interrupted at once: each is recorded.
    for (const workspaceId of this.queues.keys()) this.pump(workspaceId, Number.POSITIVE_INFINITY);
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  async cancel(runIds: readonly number[], reason: string): Promise<number[]> {
    const found: number[] = [];
    for (const runId of new Set(runIds)) {
      const run = this.held.get(runId);
      if (run === undefined) continue;
      found.push(runId);
      run.abort.abort(new Error(reason));
      if (run.done !== undefined) continue;
      // Still queued: it starts now, outside its workspace's slots, sees its aborted signal and
      // ends interrupted at once, recorded like any other run.
      for (const [workspaceId, queue] of this.queues) {
        const at = queue.findIndex((job) => job.runId === runId);
        if (at === -1) continue;
        const [job] = queue.splice(at, 1);
        if (job) this.launch(job, workspaceId);
      }
    }
    await Promise.allSettled(found.map((runId) => this.held.get(runId)?.done));
    return found;
  }

  private pump(workspaceId: number, limit = this.o.perWorkspace): void {
    const queue = this.queues.get(workspaceId);
    while (queue && queue.length > 0 && (this.running.get(workspaceId) ?? 0) < limit) {
      this.launch(queue.shift() as TextRunJob, workspaceId);
    }
  }

  private launch(job: TextRunJob, workspaceId: number): void {
    const run = this.held.get(job.runId) ?? { abort: new AbortController() };
    this.held.set(job.runId, run);
    this.running.set(workspaceId, (this.running.get(workspaceId) ?? 0) + 1);
    const signal = AbortSignal.any([this.abort.signal, run.abort.signal]);
    const done = this.execute(job, signal)
      .catch((cause: unknown) => this.o.log(`run ${job.runId} could not be recorded`, cause))
      .finally(() => {
        this.active.delete(done);
        this.held.delete(job.runId);
        this.running.set(workspaceId, (this.running.get(workspaceId) ?? 1) - 1);
        if (this.queues.get(workspaceId)?.length === 0) this.queues.delete(workspaceId);
        this.pump(workspaceId);
      });
    run.done = done;
    this.active.add(done);
  }

  private async execute(job: TextRunJob, signal: AbortSignal): Promise<void> {
    const { recorder } = this.o;
    await recorder.started(job, this.o.now());
    const url = job.suite.agent.text?.url ?? "";
    const refused = signal.aborted ? undefined : await this.o.checkUrl(url);
    const input = textRunInputOf(job);
    // Events are stored one after another, in the order they happened, and all before the end.
    let events = Promise.resolve();
    const report =
      refused === undefined
        ? await runTextScenario(input, {
            signal,
            onTranscript: (entry) => {
              events = events
                .then(() => recorder.transcript(job, entry))
                .catch((cause: unknown) =>
                  this.o.log(`run ${job.runId}: a transcript event was lost`, cause),
                );
            },
            ...(this.o.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: this.o.connectTimeoutMs }),
            ...(this.o.closeGraceMs === undefined ? {} : { closeGraceMs: this.o.closeGraceMs }),
          })
        : refusedReport(job, refused);
    await events;
    await recorder.finished(job, report);
  }
}
