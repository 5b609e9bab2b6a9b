/**
 * One voice run's live events on Workers: a Durable Object per run holds the sidecar's event
 * stream (`GET /v1/jobs/{id}/events`), which no request-bound Worker can, and stores each turn
 * as the run's `transcript` event the moment it arrives — the same follower Node runs in its
 * process (voice/voice-event-follower.ts).
 *
 * `follow` stores the job and rings the alarm; the alarm does the reading. Where to resume is
 * not kept here but in D1, with the events (the last stored event's sidecar seq), so an object
 * evicted mid-call and woken again by its alarm stores no event twice and loses none the
 * sidecar still has. An alarm reads for at most READ_SLICE_MS, then rings again: an alarm's
 * wall time is bounded, a call (up to an hour) is not. Storage keeps no secret: the sidecar's
 * token comes from the Worker's configuration, and only a configured sidecar is followed.
 */

import { DurableObject } from "cloudflare:workers";
import { appendRunEvents, lastSourceSeq } from "../../db/repositories/run-events.ts";
import { getRun } from "../../db/repositories/runs.ts";
import { isFinished } from "../../runs/run-views.ts";
import {
  FOLLOW_RETRY_MS,
  type FollowedVoiceJob,
  followVoiceEvents,
} from "../../voice/voice-event-follower.ts";
import { workerContext } from "./worker-context.ts";
import type { WorkerEnv } from "./worker-env.ts";

const JOB_KEY = "job";
/** Well under the 15 minutes Cloudflare allows an alarm handler. */
export const READ_SLICE_MS = 10 * 60_000;

export class VoiceRunObject extends DurableObject<WorkerEnv> {
  /** The job is stored and its alarm rung: following starts at once. */
  async follow(job: FollowedVoiceJob): Promise<void> {
    await this.ctx.storage.put(JOB_KEY, job);
    const current = await this.ctx.storage.getAlarm();
    if (current === null) await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    const job = await this.ctx.storage.get<FollowedVoiceJob>(JOB_KEY);
    if (job === undefined) return;
    const context = await workerContext(this.env);
    const log = (message: string, cause?: unknown) => context.log({ level: "error", message, cause });
    const done = async () => {
      await this.ctx.storage.delete(JOB_KEY);
    };
    const run = await getRun(context.db, job.workspaceId, job.runId);
    if (run === undefined || isFinished(run) || Date.now() >= job.deadlineAtMs) return done();
    const token = context.config.sidecarToken;
    const configured = context.config.sidecars.some((url) => url.replace(/\/+$/, "") === job.sidecarUrl);
    if (token === undefined || !configured) {
      log(
        `voice run ${job.runId}: its sidecar ${job.sidecarUrl} is not configured; its events are not followed`,
      );
      return done();
    }
    const slice = AbortSignal.timeout(READ_SLICE_MS);
    let ended: Awaited<ReturnType<typeof followVoiceEvents>>;
    try {
      ended = await followVoiceEvents(
        {
          fetch: (input, init) => fetch(input, init),
          sidecar: { url: job.sidecarUrl, token },
          now: Date.now,
          store: async (event) => {
            await appendRunEvents(context.db, [event]);
          },
          signal: slice,
          retryMs: FOLLOW_RETRY_MS,
          log,
        },
        job,
        await lastSourceSeq(context.db, job.runId),
      );
    } catch (cause) {
      log(`voice run ${job.runId}: following its events failed; trying again`, cause);
      ended = "stopped";
    }
    if (ended === "stopped") await this.ctx.storage.setAlarm(Date.now() + FOLLOW_RETRY_MS);
    else await done();
  }
}
