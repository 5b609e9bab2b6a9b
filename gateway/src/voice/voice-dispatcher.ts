/**
 * Posts queued voice jobs to sidecars (spec/gateway-api.md § Voice on the platform): each due
 * job is offered to the sidecars in turn, starting after the last one used; 429 → the next;
 * every sidecar full or unreachable → back to the queue until `Retry-After` (a queued run is
 * retried until its deadline, when the sweeper ends it). Accepted → the run is `running` with
 * its deadline (max_duration + grace) and its live events are followed and stored as the run's
 * `transcript` events: here, in this process (Node), or by a holder that outlives the request
 * that dispatched it (a Durable Object per run on Workers).
 */
import type { NewRunEvent } from "../db/repositories/run-events.ts";
import { startRun } from "../db/repositories/runs.ts";
import {
  claimDueVoiceJobs,
  getPostedVoiceJobs,
  markVoiceJobPosted,
  rescheduleVoiceJob,
  type VoiceJobRecord,
} from "../db/repositories/voice-jobs.ts";
import { openField } from "../db/sealed-fields.ts";
import { endRun, type SettlementDeps } from "../runs/run-settlement.ts";
import type { SecretBox } from "../security/secret-box.ts";
import { cancelJob, postJob, type SidecarTarget } from "./sidecar-client.ts";
import { FOLLOW_RETRY_MS, type FollowedVoiceJob, followVoiceEvents } from "./voice-event-follower.ts";
import { decodePlan, type VoiceRunPlan } from "./voice-run-plan.ts";

export interface VoiceDispatcherOptions {
  secrets: SecretBox;
  settlement: SettlementDeps;
  sidecars: readonly SidecarTarget[];
  /** Where the sidecars deliver results (the gateway's `/internal/voice-results`, as they reach it). */
  resultUrl: () => string;
  fetch: typeof fetch;
  /** Stores a run event (the Node event buffer, or one write each). */
  addEvent: (event: NewRunEvent) => void;
  /**
   * Who follows each accepted job's live events: `"here"`, this dispatcher, until the job ends
   * (Node's long-lived process), or a function that hands the job to a holder that outlives the
   * request (Workers: the run's Durable Object).
   */
  follow: "here" | ((job: FollowedVoiceJob) => Promise<void>);
  /** A running voice run is ended `sidecar_lost` this long after its max duration. */
  deadlineGraceMs: number;
  /** Why a LiveKit URL may not be called now (the outbound policy after DNS), or undefined. */
  checkUrl?: (url: string) => Promise<string | undefined>;
  /** How long an unanswered job stays claimed, and the wait when no sidecar said how long. */
  retryDelayMs?: number;
  postTimeoutMs?: number;
  /** Per-run dispatch timing: job posted → sidecar accepted. */
  onAccepted?: (runId: number, ms: number) => void;
  log: (message: string, cause?: unknown) => void;
}

/** Where sidecars deliver results, under the gateway's base URL (app/routes/voice-results.ts). */
export const VOICE_RESULTS_PATH = "/internal/voice-results";

const BATCH = 20;
const DEFAULT_RETRY_DELAY_MS = 2_000;

export class VoiceDispatcher {
  readonly #o: VoiceDispatcherOptions;
  #next = 0;
  #pumping: Promise<number> | undefined;
  #again = false;
  readonly #stop = new AbortController();
  readonly #following = new Set<Promise<void>>();

  constructor(options: VoiceDispatcherOptions) {
    this.#o = options;
  }

  /** Posts every due job; answers how many were accepted. One pump at a time per dispatcher. */
  pump(): Promise<number> {
    if (this.#pumping) {
      this.#again = true;
      return this.#pumping;
    }
    this.#pumping = this.#pumpAll().finally(() => {
      this.#pumping = undefined;
      if (this.#again && !this.#stop.signal.aborted) {
        this.#again = false;
        void this.pump();
      }
    });
    return this.#pumping;
  }

  /**
   * Asks the sidecar holding each of these runs' jobs to stop the call (`DELETE /v1/jobs/{id}`).
   * Answers the runs whose sidecar said it is stopping or has ended: their results are on their
   * way. A sidecar that does not answer is logged; its runs are left to the caller to end.
   */
  async cancel(runIds: readonly number[]): Promise<number[]> {
    const posted = await getPostedVoiceJobs(this.#o.settlement.db, runIds);
    const answers = await Promise.all(
      posted.map(async ({ runId, sidecarUrl }) => {
        const sidecar = this.#o.sidecars.find((s) => s.url === sidecarUrl);
        if (sidecar === undefined) {
          this.#o.log(
            `voice run ${runId} could not be cancelled: its sidecar ${sidecarUrl} is no longer configured`,
          );
          return undefined;
        }
        const outcome = await cancelJob(
          this.#o.fetch,
          sidecar,
          String(runId),
          this.#o.postTimeoutMs ?? 10_000,
        );
        if (outcome.kind === "stopping" || outcome.kind === "finished") return runId;
        this.#o.log(`voice run ${runId} could not be cancelled at its sidecar: ${outcome.error}`);
        return undefined;
      }),
    );
    return answers.filter((id) => id !== undefined);
  }

  /** Stops following streams and pumping; results still arrive through the result route. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#pumping?.catch(() => 0);
    await Promise.allSettled([...this.#following]);
  }

  async #pumpAll(): Promise<number> {
    const { settlement } = this.#o;
    const retryMs = this.#o.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    let accepted = 0;
    for (;;) {
      const nowMs = settlement.now();
      const claimed = await claimDueVoiceJobs(settlement.db, nowMs, nowMs + retryMs * 5, BATCH);
      for (const job of claimed) {
        if (this.#stop.signal.aborted) return accepted;
        try {
          if (await this.#dispatch(job)) accepted++;
        } catch (cause) {
          this.#o.log(`voice run ${job.runId} could not be dispatched`, cause);
        }
      }
      if (claimed.length < BATCH) return accepted;
    }
  }

  async #dispatch(record: VoiceJobRecord): Promise<boolean> {
    const { settlement, secrets } = this.#o;
    const plan = decodePlan(
      await openField(secrets, record.workspaceId, "voice.plan", {
        ciphertext: record.planCiphertext,
        keyId: record.planKeyId,
      }),
    );
    const refusal = await this.#refusedUrl(plan);
    if (refusal !== undefined) {
      await this.#fail(
        record,
        "connection_failed",
        `the outbound policy refused the LiveKit URL: ${refusal}`,
      );
      return false;
    }
    const sidecars = this.#o.sidecars;
    let wait: number | undefined;
    const errors: string[] = [];
    for (let i = 0; i < sidecars.length; i++) {
      const sidecar = sidecars[(this.#next + i) % sidecars.length] as SidecarTarget;
      const job = { ...plan.job, result_url: this.#o.resultUrl() };
      const postedAt = performance.now();
      const outcome = await postJob(this.#o.fetch, sidecar, job, this.#o.postTimeoutMs ?? 10_000);
      if (outcome.kind === "accepted") {
        this.#next = (this.#next + i + 1) % sidecars.length;
        this.#o.onAccepted?.(record.runId, performance.now() - postedAt);
        await this.#accepted(record, plan, sidecar);
        return true;
      }
      if (outcome.kind === "refused") {
        await this.#fail(record, "internal_error", `the sidecar refused the voice job: ${outcome.error}`);
        return false;
      }
      errors.push(outcome.error);
      if (outcome.kind === "full" && outcome.retryAfterMs !== undefined)
        wait = Math.min(wait ?? Number.POSITIVE_INFINITY, outcome.retryAfterMs);
    }
    const retryMs = this.#o.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    await rescheduleVoiceJob(
      settlement.db,
      record.runId,
      settlement.now() + (wait ?? retryMs),
      errors.join("; "),
    );
    return false;
  }

  async #refusedUrl(plan: VoiceRunPlan): Promise<string | undefined> {
    const c = plan.job.connection;
    const urls =
      c.mode === "manual"
        ? [c.livekit_room_url]
        : c.mode === "client"
          ? [c.bot_runner_url]
          : c.mode === "token_endpoint"
            ? [c.generate_token_endpoint, ...(c.livekit_url ? [c.livekit_url] : [])]
            : [c.livekit_url, ...(c.mode === "rubric_endpoint" ? [c.web_call_url] : [])];
    for (const url of urls) {
      const why = await this.#o.checkUrl?.(url);
      if (why !== undefined) return why;
    }
    return undefined;
  }

  async #accepted(record: VoiceJobRecord, plan: VoiceRunPlan, sidecar: SidecarTarget): Promise<void> {
    const { settlement } = this.#o;
    const nowMs = settlement.now();
    const deadlineAtMs = nowMs + plan.job.max_duration_s * 1000 + this.#o.deadlineGraceMs;
    await markVoiceJobPosted(settlement.db, record.runId, sidecar.url, nowMs);
    if (
      !(await startRun(settlement.db, record.workspaceId, record.runId, { startedAtMs: nowMs, deadlineAtMs }))
    ) {
      // The run ended while its job was being posted (a cancel): the call must not go on.
      await this.cancel([record.runId]);
      return;
    }
    const run = { workspaceId: record.workspaceId, runId: record.runId };
    this.#o.addEvent({ ...run, type: "status", data: { status: "running" }, nowMs });
    const job: FollowedVoiceJob = { ...run, sidecarUrl: sidecar.url, deadlineAtMs };
    const { follow } = this.#o;
    if (follow !== "here") {
      await follow(job).catch((cause: unknown) =>
        this.#o.log(`the live events of voice run ${record.runId} will not be followed`, cause),
      );
      return;
    }
    const following = followVoiceEvents(
      {
        fetch: this.#o.fetch,
        sidecar,
        now: settlement.now,
        store: this.#o.addEvent,
        signal: this.#stop.signal,
        retryMs: FOLLOW_RETRY_MS,
        log: this.#o.log,
      },
      job,
      0,
    ).then(
      () => {},
      (cause: unknown) => this.#o.log(`the live events of voice run ${record.runId} stopped`, cause),
    );
    this.#following.add(following);
    void following.finally(() => this.#following.delete(following));
  }

  async #fail(
    record: VoiceJobRecord,
    reason: "connection_failed" | "internal_error",
    error: string,
  ): Promise<void> {
    await endRun(this.#o.settlement, record.workspaceId, record.runId, {
      status: "failed",
      endedReason: reason,
      endedBy: "platform",
      passed: false,
      error,
      transcript: [],
      assertions: [],
      metrics: {},
      endedAtMs: this.#o.settlement.now(),
    });
  }
}
