import {
  type VoiceJob,
  type VoiceJobStatus,
  type VoiceResult,
  type VoiceRunEventBody,
  voiceResultIdempotencyKey,
  voiceResultSchema,
} from "@spar/protocol";
import type { OutboxDeliverer } from "../outbox/deliverer.ts";
import type { OutboxStore } from "../outbox/outbox-store.ts";
import { recordRunEvent } from "../telemetry/run-event-telemetry.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import { JobRecord } from "./job-record.ts";
import type { VoiceCallRunner } from "./voice-call-runner.ts";

export interface JobServiceOptions {
  runner: VoiceCallRunner;
  store: OutboxStore;
  /** Woken after a result is committed so delivery starts at once. */
  deliverer: Pick<OutboxDeliverer, "notify">;
  telemetry: Telemetry;
  now: () => number;
  maxConcurrentJobs: number;
  /** Where results go when a job names no `result_url`; null = keep them only in the outbox file. */
  defaultResultUrl: string | null;
  /** Past `max_duration_s` + this, the job is ended `max_duration` even if the runner hangs. */
  graceMs: number;
  /**
   * After an abort (a cancel, a shutdown), how long the runner has to end the call with what it
   * has before the job is ended `interrupted` without it (default 10 s).
   */
  abortGraceMs?: number;
  log: (event: string, fields: Record<string, string | number>) => void;
}

/** Finished jobs kept in memory for status and event replay; older ones answer from the outbox file. */
const FINISHED_JOBS_KEPT = 1_000;

/** Default of `abortGraceMs`: a runner stops a call (leave the room, write the WAVs) well within it. */
const DEFAULT_ABORT_GRACE_MS = 10_000;

/** `cancel`'s answer: the job was told to stop (`stopping`), or had already ended (`finished`). */
export type CancelOutcome = { kind: "stopping" | "finished"; status: VoiceJobStatus };

export type SubmitOutcome =
  | { kind: "started" | "existing"; status: VoiceJobStatus }
  | { kind: "at_capacity" };

/**
 * Runs voice jobs through the runner port and never loses a result: every job ends in exactly
 * one `VoiceResult` (the runner's, or a failure the service makes when the runner throws,
 * returns garbage or overruns), committed with its delivery in one outbox transaction.
 */
export class JobService {
  readonly #o: JobServiceOptions;
  readonly #jobs = new Map<string, JobRecord>();
  readonly #running = new Set<Promise<void>>();
  readonly #aborts = new Set<AbortController>();
  /** The running jobs' aborts by run id, for `cancel`. */
  readonly #abortByRun = new Map<string, AbortController>();
  #active = 0;

  constructor(options: JobServiceOptions) {
    this.#o = options;
  }

  get activeJobs(): number {
    return this.#active;
  }

  async submit(job: VoiceJob): Promise<SubmitOutcome> {
    const known = this.#jobs.get(job.run_id);
    if (known !== undefined) return { kind: "existing", status: await this.#statusOf(known) };
    // A run finished before a restart must not be called again: its result is in the file.
    const stored = await this.status(job.run_id);
    if (stored !== undefined) return { kind: "existing", status: stored };
    if (this.#active >= this.#o.maxConcurrentJobs) return { kind: "at_capacity" };
    // Re-check after the await: two identical submissions can race past the first lookup.
    if (this.#jobs.has(job.run_id)) return this.submit(job);
    const record = new JobRecord(job, new Date(this.#o.now()).toISOString());
    this.#jobs.set(job.run_id, record);
    this.#active += 1;
    const running = this.#execute(record).finally(() => {
      this.#active -= 1;
      this.#running.delete(running);
      this.#evictFinished();
    });
    this.#running.add(running);
    return { kind: "started", status: await this.#statusOf(record) };
  }

  job(runId: string): JobRecord | undefined {
    return this.#jobs.get(runId);
  }

  async status(runId: string): Promise<VoiceJobStatus | undefined> {
    const record = this.#jobs.get(runId);
    if (record !== undefined) return this.#statusOf(record);
    const json = await this.#o.store.resultJson(runId);
    if (json === undefined) return undefined;
    const result = voiceResultSchema.parse(JSON.parse(json));
    return this.#withDelivery({
      run_id: runId,
      status: result.status,
      created_at: result.started_at,
      result,
    });
  }

  /**
   * Stops a job's call (its runner's signal aborts with `reason`): the runner ends it
   * `interrupted` with what it has, and that result is committed and delivered like any other.
   * Idempotent: a finished job answers `finished`; undefined when the job is unknown.
   */
  async cancel(runId: string, reason: string): Promise<CancelOutcome | undefined> {
    const record = this.#jobs.get(runId);
    if (record === undefined) {
      const stored = await this.status(runId);
      return stored === undefined ? undefined : { kind: "finished", status: stored };
    }
    if (record.finished) return { kind: "finished", status: await this.#statusOf(record) };
    const abort = this.#abortByRun.get(runId);
    if (abort !== undefined && !abort.signal.aborted) {
      this.#o.log("job_cancelled", { run_id: runId, reason });
      abort.abort(reason);
    }
    return { kind: "stopping", status: await this.#statusOf(record) };
  }

  /** Waits for every running job to end (tests, and a graceful shutdown after aborting). */
  async drain(): Promise<void> {
    await Promise.all([...this.#running]);
  }

  /** Graceful shutdown: tells every runner to stop, then waits for their results to be committed. */
  async abortAll(): Promise<void> {
    for (const a of this.#aborts) a.abort();
    await this.drain();
  }

  async #statusOf(record: JobRecord): Promise<VoiceJobStatus> {
    const base = { run_id: record.job.run_id, created_at: record.createdAt };
    if (record.result === undefined) return { ...base, status: "running" };
    return this.#withDelivery({ ...base, status: record.result.status, result: record.result });
  }

  async #withDelivery(status: VoiceJobStatus): Promise<VoiceJobStatus> {
    const state = await this.#o.store.deliveryState(voiceResultIdempotencyKey(status.run_id));
    return state === undefined ? status : { ...status, delivery: state.status };
  }

  async #execute(record: JobRecord): Promise<void> {
    const { telemetry, now } = this.#o;
    const job = record.job;
    const startedAtMs = now();
    const trace = telemetry.startRun({
      runId: job.run_id,
      scenarioId: job.scenario.id,
      mode: job.connection.mode,
      startedAtMs,
      ...(job.agent_id === undefined ? {} : { agentId: job.agent_id }),
    });
    telemetry.callStarted();
    const emit = (body: VoiceRunEventBody) => {
      if (record.finished) return;
      const at = now();
      record.append(body, new Date(at).toISOString());
      recordRunEvent(telemetry, trace, body, at);
    };
    const result = await this.#runWithDeadline(record, emit, startedAtMs);
    const endedAtMs = now();
    try {
      await this.#commit(job, result);
    } catch (cause) {
      // The file is unwritable: nothing more can be done here than say so loudly; the gateway's
      // sweeper ends the run `sidecar_lost`.
      this.#o.log("result_commit_failed", { run_id: job.run_id, error: String(cause) });
    }
    record.finish(result, new Date(endedAtMs).toISOString());
    const outcome = { status: result.status, endedReason: result.ended_reason };
    trace.end(outcome, endedAtMs);
    telemetry.recordCallDuration(endedAtMs - startedAtMs, outcome);
    telemetry.callEnded();
  }

  async #runWithDeadline(
    record: JobRecord,
    emit: (e: VoiceRunEventBody) => void,
    startedAtMs: number,
  ): Promise<VoiceResult> {
    const job = record.job;
    const abort = new AbortController();
    this.#aborts.add(abort);
    this.#abortByRun.set(job.run_id, abort);
    let timer: NodeJS.Timeout | undefined;
    let abortTimer: NodeJS.Timeout | undefined;
    const deadline = new Promise<VoiceResult>((resolve) => {
      timer = setTimeout(
        () => {
          abort.abort("the call reached its deadline");
          resolve(
            this.#failure(
              record,
              startedAtMs,
              "max_duration",
              "the runner did not end the call by its deadline",
            ),
          );
        },
        job.max_duration_s * 1000 + this.#o.graceMs,
      );
    });
    // A runner that ignores its signal still ends promptly after a cancel or a shutdown.
    const aborted = new Promise<VoiceResult>((resolve) => {
      abort.signal.addEventListener(
        "abort",
        () => {
          abortTimer = setTimeout(
            () =>
              resolve({
                ...this.#failure(
                  record,
                  startedAtMs,
                  "interrupted",
                  `the call was interrupted (${String(abort.signal.reason)}) and its runner did not stop in time`,
                ),
                status: "interrupted",
              }),
            this.#o.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS,
          );
        },
        { once: true },
      );
    });
    const ran = this.#o.runner.run(job, emit, abort.signal).then(
      (value) => {
        const parsed = voiceResultSchema.safeParse(value);
        if (parsed.success && parsed.data.run_id === job.run_id) return parsed.data;
        const why = parsed.success ? "a result for another run" : parsed.error.issues[0]?.message;
        return this.#failure(
          record,
          startedAtMs,
          "internal_error",
          `the runner returned an invalid result: ${why}`,
        );
      },
      (cause: unknown) => {
        this.#o.log("runner_failed", { run_id: job.run_id, error: String(cause) });
        return this.#failure(record, startedAtMs, "internal_error", "the runner failed unexpectedly");
      },
    );
    try {
      return await Promise.race([ran, deadline, aborted]);
    } finally {
      clearTimeout(timer);
      clearTimeout(abortTimer);
      this.#aborts.delete(abort);
      this.#abortByRun.delete(job.run_id);
    }
  }

  /** A result the service makes itself, keeping the turns the runner reported so far. */
  #failure(
    record: JobRecord,
    startedAtMs: number,
    reason: VoiceResult["ended_reason"],
    message: string,
  ): VoiceResult {
    const job = record.job;
    const endedAtMs = this.#o.now();
    return {
      run_id: job.run_id,
      status: "failed",
      ended_reason: reason,
      error_message: message,
      started_at: new Date(startedAtMs).toISOString(),
      ended_at: new Date(endedAtMs).toISOString(),
      duration_ms: endedAtMs - startedAtMs,
      transcript: record.turnsSoFar(),
      recording: null,
      metrics: null,
      artifacts: [],
    };
  }

  async #commit(job: VoiceJob, result: VoiceResult): Promise<void> {
    const payloadJson = JSON.stringify(result);
    const targetUrl = job.result_url ?? this.#o.defaultResultUrl;
    const delivery =
      targetUrl === null
        ? null
        : {
            idempotencyKey: voiceResultIdempotencyKey(job.run_id),
            targetUrl,
            payloadJson,
            attachments: result.artifacts.map((a) => ({
              part: a.part,
              path: a.path,
              contentType: a.content_type,
              sha256: a.sha256,
            })),
          };
    await this.#o.store.commitResult(job.run_id, payloadJson, delivery, this.#o.now());
    this.#o.deliverer.notify();
  }

  #evictFinished(): void {
    const finished = [...this.#jobs.values()].filter((r) => r.finished);
    for (const r of finished.slice(0, Math.max(0, finished.length - FINISHED_JOBS_KEPT))) {
      this.#jobs.delete(r.job.run_id);
    }
  }
}
