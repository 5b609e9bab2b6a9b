/**
 * One text run per Durable Object (SQLite-backed). `start` records the run as running, checks
 * the agent URL and opens the outbound X-RUBRIC socket; from then on the session is driven by
 * socket events and the object's alarm (alarm-session.ts), and its ending is stored through the
 * same DbRunRecorder Node uses, which settles the test run and queues webhooks.
 *
 * Storage keeps only who the run is and whether it has ended — no secret. An outbound socket
 * cannot survive eviction, so an object that wakes (alarm, probe) with a run it does not hold in
 * memory has lost it: it ends the run failed, keeping what was said. RPCs answer result
 * objects; expected outcomes are never thrown.
 */

import { DurableObject } from "cloudflare:workers";
import type { RunReport, TranscriptEntry } from "@spar/protocol";
import { getRun } from "../../db/repositories/runs.ts";
import { endRunForPlatform } from "../../runs/run-settlement.ts";
import { type TextRunJob, textRunInputOf } from "../../runs/text-run-host.ts";
import {
  callerOf,
  handshakeHeaders,
  refusedReport,
  reportedEntry,
  reportTextRun,
  sessionConfigFor,
  textChannelOf,
} from "../../text-run/text-run-report.ts";
import type { SessionResult } from "../../text-session/session-types.ts";
import { openAgentSocket } from "./agent-socket.ts";
import { AlarmSession } from "./alarm-session.ts";
import { RUN_OBJECT_LOST } from "./run-object-lost.ts";
import { type WorkerContext, workerContext } from "./worker-context.ts";
import type { WorkerEnv } from "./worker-env.ts";

/** What the object's storage keeps under RUN_KEY. */
interface StoredRun {
  workspaceId: number;
  testRunId: number;
  runId: number;
  publicUrl: string;
  /** Set once the ending is stored (or the run was found lost): nothing may end it again. */
  terminated: boolean;
}

const RUN_KEY = "run";

export type StartOutcome = { started: true } | { started: false; reason: "already_started" };
export type ProbeOutcome = "live" | "ended" | "lost" | "unknown";

interface LiveRun {
  session: AlarmSession;
  /** Resolves once the ending is stored. */
  done: Promise<void>;
}

export class TextRunObject extends DurableObject<WorkerEnv> {
  private live: LiveRun | undefined;

  async start(job: TextRunJob, publicUrl: string): Promise<StartOutcome> {
    if (this.live !== undefined || (await this.stored()) !== undefined) {
      return { started: false, reason: "already_started" };
    }
    const stored: StoredRun = {
      workspaceId: job.workspaceId,
      testRunId: job.testRunId,
      runId: job.runId,
      publicUrl,
      terminated: false,
    };
    await this.ctx.storage.put(RUN_KEY, stored);
    const context = await workerContext(this.env);
    const { recorder, flush } = context.recorder(publicUrl);
    let finished!: () => void;
    const done = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const input = textRunInputOf(job);
    const channel = textChannelOf(input);
    // Transcript events are stored one after another, in order, and all before the ending.
    let events = Promise.resolve();
    const end = async (report: () => Promise<RunReport>) => {
      try {
        await events;
        await recorder.finished(job, await report());
        await flush();
      } catch (cause) {
        context.log({ level: "error", message: `run ${job.runId} could not be recorded`, cause });
      } finally {
        await this.terminate(stored);
        finished();
      }
    };
    const session = new AlarmSession(sessionConfigFor(channel), {
      now: Date.now,
      connect: (on) => openAgentSocket(channel.url, handshakeHeaders(input), on),
      caller: callerOf(input),
      setAlarm: (dueAt) => {
        const set = dueAt === undefined ? this.ctx.storage.deleteAlarm() : this.ctx.storage.setAlarm(dueAt);
        this.ctx.waitUntil(
          set.catch((cause: unknown) =>
            context.log({ level: "error", message: "an alarm was not set", cause }),
          ),
        );
      },
      onTranscript: (entry: TranscriptEntry) => {
        events = events
          .then(() => recorder.transcript(job, reportedEntry(entry)))
          .catch((cause: unknown) =>
            context.log({ level: "error", message: `run ${job.runId}: a transcript event was lost`, cause }),
          );
      },
      onFinish: (result: SessionResult) => {
        this.ctx.waitUntil(end(() => reportTextRun(input, result)));
      },
    });
    this.live = { session, done };
    await recorder.started(job, Date.now());
    await flush();
    const refused = context.checkUrl(channel.url);
    if (refused !== undefined) {
      await end(async () => refusedReport(job, refused));
      return { started: true };
    }
    session.start();
    return { started: true };
  }

  /** Ends the run interrupted if this object holds it; resolves once its ending is stored. */
  async cancel(reason: string): Promise<{ held: boolean }> {
    const live = this.live;
    if (live === undefined) return { held: false };
    live.session.interrupt(reason);
    await live.done;
    return { held: true };
  }

  /** Whether this object still holds its run; one it lost is ended now (the sweep asks). */
  async probe(): Promise<ProbeOutcome> {
    if (this.live !== undefined) return this.live.session.finished ? "ended" : "live";
    return this.endLost();
  }

  override async alarm(): Promise<void> {
    if (this.live !== undefined) {
      this.live.session.fireDue();
      return;
    }
    await this.endLost();
  }

  private async stored(): Promise<StoredRun | undefined> {
    return this.ctx.storage.get<StoredRun>(RUN_KEY);
  }

  private async terminate(stored: StoredRun): Promise<void> {
    await this.ctx.storage.put(RUN_KEY, { ...stored, terminated: true });
    await this.ctx.storage.deleteAlarm();
  }

  /** The object woke without its socket: the run is lost; ends it failed unless it has ended. */
  private async endLost(): Promise<ProbeOutcome> {
    const stored = await this.stored();
    if (stored === undefined) return "unknown";
    if (stored.terminated) return "ended";
    const context: WorkerContext = await workerContext(this.env);
    const run = await getRun(context.db, stored.workspaceId, stored.runId);
    if (run !== undefined) {
      await endRunForPlatform(context.settlement(stored.publicUrl), run, {
        status: "failed",
        error: RUN_OBJECT_LOST,
        endedAtMs: Date.now(),
      });
    }
    await this.terminate(stored);
    return "lost";
  }
}
