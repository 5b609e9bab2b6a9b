/**
 * The one way voice runs start (test runs here; Cekura-compatible runs and sessions on top):
 * the runs exist (`queued`, created with their test run); this turns each into a sealed plan in
 * the durable job queue, or — when its LiveKit credentials are missing — ends it at once
 * `credentials_missing` before any room exists, so its test run still gets a verdict.
 */
import type { RunMetric } from "@spar/caller";
import type { LlmConfig, Scenario, VoiceConnection, VoiceConnectionPlan, VoiceJob } from "@spar/protocol";
import { AccessToken } from "livekit-server-sdk";
import { insertVoiceJobs, type NewVoiceJob } from "../db/repositories/voice-jobs.ts";
import { sealField } from "../db/sealed-fields.ts";
import { endRun, type SettlementDeps } from "../runs/run-settlement.ts";
import type { SecretBox } from "../security/secret-box.ts";
import { callerConfigOf, type VoiceRunPlan } from "./voice-run-plan.ts";

/** Whole-call limit of a gateway voice run unless the deployment sets another. */
export const DEFAULT_VOICE_MAX_DURATION_S = 600;
/**
 * How long a cancel waits for the interrupted results of the calls it stopped: past the
 * sidecar's own 10 s bound on a runner that ignores its signal, plus a delivery.
 */
export const DEFAULT_CANCEL_WAIT_MS = 15_000;
/** The identity a minted caller token grants (spec/voice-livekit.md). */
export const CALLER_IDENTITY = "rubric-test-caller";
/** A minted caller token only has to last until the caller joins (and rtc-node's reconnects). */
const MINTED_TOKEN_TTL = "10m";

export interface VoiceRunStart {
  workspaceId: number;
  testRunId: number;
  runId: number;
  agentId: number;
  /** Ids are the platform's, as decimal strings. */
  scenario: Scenario;
  /** `voiceConnectionFor(…)`'s answer, or a manual connection given per run (Cekura's). */
  connection: VoiceConnectionPlan;
  agentIdentity?: string | undefined;
  /** Chat over LiveKit text streams: evaluated (and billed) as a text run. */
  chat: boolean;
  publishDataMessage?: Record<string, unknown> | undefined;
  metrics: readonly RunMetric[];
  llm?: LlmConfig | undefined;
  maxDurationS: number;
  agentJoinTimeoutMs?: number | undefined;
  turnTimeoutMs?: number | undefined;
  /** A browser session's observer (livekit-sessions-observer.ts): joins silently instead of calling. */
  observe?: VoiceJob["observe"];
}

export interface StartVoiceRunsDeps {
  secrets: SecretBox;
  settlement: SettlementDeps;
  /** Wakes the dispatcher so queued jobs are posted now, not at its next tick. */
  wake: () => void;
}

export type VoiceRunStarted =
  | { runId: number; queued: true }
  | { runId: number; queued: false; reason: string };

export async function startVoiceRuns(
  deps: StartVoiceRunsDeps,
  starts: readonly VoiceRunStart[],
): Promise<VoiceRunStarted[]> {
  const { db, now } = deps.settlement;
  const queued: NewVoiceJob[] = [];
  const answers: VoiceRunStarted[] = [];
  for (const start of starts) {
    const connection = await connectionOf(start);
    if (!connection.ok) {
      await endRun(deps.settlement, start.workspaceId, start.runId, {
        status: "failed",
        endedReason: "credentials_missing",
        endedBy: "platform",
        passed: false,
        error: connection.message,
        transcript: [],
        assertions: [],
        metrics: {},
        endedAtMs: now(),
      });
      answers.push({ runId: start.runId, queued: false, reason: connection.message });
      continue;
    }
    const plan: VoiceRunPlan = {
      job: {
        run_id: String(start.runId),
        scenario: { id: start.scenario.id, name: start.scenario.name ?? `scenario ${start.scenario.id}` },
        agent_id: String(start.agentId),
        connection: connection.connection,
        caller: callerConfigOf(start.scenario, start.llm, start.agentIdentity),
        max_duration_s: start.maxDurationS,
        ...(start.agentJoinTimeoutMs === undefined
          ? {}
          : { agent_join_timeout_ms: start.agentJoinTimeoutMs }),
        ...(start.turnTimeoutMs === undefined ? {} : { turn_timeout_ms: start.turnTimeoutMs }),
        ...(start.chat ? { chat: true } : {}),
        ...(start.publishDataMessage ? { publish_data_message: start.publishDataMessage } : {}),
        ...(start.observe ? { observe: start.observe } : {}),
      },
      scenario: start.scenario,
      metrics: start.metrics,
      ...(start.llm ? { llm: start.llm } : {}),
    };
    queued.push({
      runId: start.runId,
      workspaceId: start.workspaceId,
      plan: await sealField(deps.secrets, start.workspaceId, "voice.plan", JSON.stringify(plan)),
    });
    answers.push({ runId: start.runId, queued: true });
  }
  await insertVoiceJobs(db, queued, now());
  if (queued.length > 0) deps.wake();
  return answers;
}

async function connectionOf(
  start: VoiceRunStart,
): Promise<{ ok: true; connection: VoiceConnection } | { ok: false; message: string }> {
  const plan = start.connection;
  if (!plan.ok) return { ok: false, message: plan.message };
  if ("connection" in plan) return { ok: true, connection: plan.connection };
  const token = new AccessToken(plan.mint.api_key, plan.mint.api_secret, {
    identity: CALLER_IDENTITY,
    ttl: MINTED_TOKEN_TTL,
  });
  token.addGrant({
    roomJoin: true,
    room: plan.mint.room ?? `spar-${start.runId}`,
    canPublish: true,
    canSubscribe: true,
    canPublishData: true,
  });
  return {
    ok: true,
    connection: { mode: "manual", livekit_room_url: plan.mint.url, access_token: await token.toJwt() },
  };
}
