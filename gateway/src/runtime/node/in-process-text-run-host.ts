/**
 * Node's TextRunHost: each run an in-process actor holding its outbound X-RUBRIC socket (the
 * session core inside `runTextScenario`), at most `perWorkspace` at once per workspace, the
 * rest queued in order. The agent URL is checked against the outbound policy at connect time
 * (after DNS); a refused URL fails the run `connection_failed` without connecting.
 */
import type { RunReport } from "@spar/protocol";
import type { RunRecorder, TextRunHost, TextRunJob } from "../../runs/text-run-host.ts";
import { runTextScenario } from "../../text-run/run-text-scenario.ts";

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

  constructor(private readonly o: InProcessTextRunHostOptions) {}

  get pending(): number {
    let queued = 0;
    for (const q of this.queues.values()) queued += q.length;
    return queued + this.active.size;
  }

  submit(job: TextRunJob): void {
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

  private pump(workspaceId: number, limit = this.o.perWorkspace): void {
    const queue = this.queues.get(workspaceId);
    while (queue && queue.length > 0 && (this.running.get(workspaceId) ?? 0) < limit) {
      const job = queue.shift() as TextRunJob;
      this.running.set(workspaceId, (this.running.get(workspaceId) ?? 0) + 1);
      const done = this.execute(job)
        .catch((cause: unknown) => this.o.log(`run ${job.runId} could not be recorded`, cause))
        .finally(() => {
          this.active.delete(done);
          this.running.set(workspaceId, (this.running.get(workspaceId) ?? 1) - 1);
          if (queue.length === 0) this.queues.delete(workspaceId);
          this.pump(workspaceId);
        });
      this.active.add(done);
    }
  }

  private async execute(job: TextRunJob): Promise<void> {
    const { recorder } = this.o;
    await recorder.started(job, this.o.now());
    const url = job.suite.agent.text?.url ?? "";
    const refused = this.abort.signal.aborted ? undefined : await this.o.checkUrl(url);
    const input = {
      suite: job.suite,
      scenario: job.scenario,
      attempt: job.attempt,
      runId: String(job.runId),
      batchId: String(job.testRunId),
    };
    // Events are stored one after another, in the order they happened, and all before the end.
    let events = Promise.resolve();
    const report: RunReport =
      refused === undefined
        ? await runTextScenario(input, {
            signal: this.abort.signal,
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

function refusedReport(job: TextRunJob, why: string): RunReport {
  return {
    run_id: String(job.runId),
    scenario_id: job.scenario.id,
    attempt: job.attempt,
    channel: "text",
    status: "failed",
    ended_reason: "connection_failed",
    ended_by: "platform",
    passed: false,
    duration_ms: 0,
    transcript: [],
    metadata: job.scenario.metadata ?? {},
    assertions: [],
    metrics: { turns: 0, latency_ms: null },
    error: `the outbound policy refused the agent URL: ${why}`,
  };
}
