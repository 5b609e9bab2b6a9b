/**
 * One voice run for the embedded CLI (`spar run --channel voice`): a suite scenario played once
 * in the agent's LiveKit room (manual mode: URL + token, or API key/secret + room to mint one),
 * evaluated with the shared assertions, reported in the JSON report's run shape.
 */
import { join } from "node:path";
import { callerFor, evaluateAssertions, runVerdict } from "@spar/caller";
import type { RunReport, Scenario, Suite } from "@spar/protocol";
import { AccessToken } from "livekit-server-sdk";
import { type Clock, monotonicClock } from "../media/clock.ts";
import { ProcessTextToSpeech } from "../media/tts/process-text-to-speech.ts";
import type { TextToSpeech } from "../media/tts/text-to-speech.ts";
import type { VadEngine } from "../media/vad/create-voice-activity.ts";
import type { CallRoomConnector } from "../room/call-room.ts";
import { LiveKitCallRoomConnector } from "../room/livekit-call-room.ts";
import { type CallLimits, DEFAULT_CALL_LIMITS } from "./call-limits.ts";
import { type CallReport, runCall } from "./call-session.ts";
import { InterruptPlan } from "./interrupt-plan.ts";
import { type SttEngine, sttFactory, vadFactory } from "./speech-engines.ts";

export interface VoiceRunInput {
  suite: Suite;
  scenario: Scenario;
  attempt: number;
  runId: string;
  batchId: string;
}

export interface VoiceRunDeps {
  /** Each run's WAVs go to `<recordingsDir>/<runId>/` (default `.spar/recordings`). */
  recordingsDir?: string;
  vad?: VadEngine;
  stt?: SttEngine;
  tts?: TextToSpeech;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  clock?: Clock;
  connector?: CallRoomConnector;
  /** Stage limits; the spec's defaults otherwise (max duration 600 s, per turn 30 s). */
  limits?: Partial<CallLimits>;
  /** Identity the caller joins as when a token is minted here. */
  callerIdentity?: string;
}

/** Where to join: the suite's manual LiveKit settings, minting the caller's token if needed. */
export async function manualRoomAccess(
  suite: Suite,
  runId: string,
  callerIdentity = "rubric-test-caller",
): Promise<{ url: string; token: string }> {
  const livekit = suite.agent.voice?.livekit;
  if (!livekit) throw new Error("agent.voice.livekit is not configured");
  if (livekit.mode !== "manual") {
    throw new Error(
      `agent.voice.livekit.mode "${livekit.mode}" is not supported by the embedded runner yet; use mode: manual`,
    );
  }
  if (livekit.token) return { url: livekit.url, token: livekit.token };
  if (!livekit.api_key || !livekit.api_secret) {
    throw new Error(
      "agent.voice.livekit (manual) needs `token`, or `api_key` + `api_secret` (+ `room`) to mint one",
    );
  }
  // A token only has to be valid when the caller joins (and for rtc-node's reconnects): keep it
  // short-lived, for this one identity in this one room.
  const at = new AccessToken(livekit.api_key, livekit.api_secret, { identity: callerIdentity, ttl: "10m" });
  at.addGrant({
    roomJoin: true,
    room: livekit.room ?? `spar-${runId}`,
    canPublish: true,
    canSubscribe: true,
  });
  return { url: livekit.url, token: await at.toJwt() };
}

let sharedTts: TextToSpeech | undefined;
/** One TTS worker thread for every embedded run in this process (it is unref'd: never keeps it alive). */
function offlineTts(): TextToSpeech {
  sharedTts ??= new ProcessTextToSpeech("rms");
  return sharedTts;
}

export async function runVoiceScenario(input: VoiceRunInput, deps: VoiceRunDeps = {}): Promise<RunReport> {
  const { suite, scenario } = input;
  const signal = deps.signal ?? new AbortController().signal;
  const fetchDeps = deps.fetch ? { fetch: deps.fetch } : {};
  const tts = suite.caller?.tts;
  let access: { url: string; token: string };
  try {
    if (tts && tts.provider !== "offline") {
      throw new Error(
        `caller.tts.provider "${tts.provider}" is not supported by the embedded runner; use offline`,
      );
    }
    access = await manualRoomAccess(suite, input.runId, deps.callerIdentity);
  } catch (cause) {
    return configFailure(input, cause instanceof Error ? cause.message : String(cause));
  }
  const clock = deps.clock ?? monotonicClock;
  const makeStt = sttFactory(deps.stt ?? "pocketsphinx");
  const report: CallReport = await runCall(
    {
      url: access.url,
      token: access.token,
      brain: callerFor(scenario, suite, fetchDeps),
      ...(scenario.script ? { interrupts: new InterruptPlan(scenario.script) } : {}),
      ...(suite.agent.voice?.agent_identity ? { agentIdentity: suite.agent.voice.agent_identity } : {}),
      limits: { ...DEFAULT_CALL_LIMITS, ...deps.limits },
      recordingDir: join(deps.recordingsDir ?? ".spar/recordings", input.runId),
    },
    {
      connector: deps.connector ?? new LiveKitCallRoomConnector({ clock }),
      tts: deps.tts ?? offlineTts(),
      makeVad: vadFactory(deps.vad ?? "energy"),
      ...(makeStt ? { makeStt } : {}),
      clock,
      wallNow: Date.now,
      emit: () => undefined,
      signal,
    },
  );
  const producedMetadata: Record<string, unknown> = {
    ...(report.roomName ? { room_name: report.roomName } : {}),
    ...(report.recording
      ? {
          recording: {
            sample_rate_hz: report.recording.sampleRateHz,
            stereo_path: report.recording.stereoPath,
            participants: report.recording.participants,
          },
        }
      : {}),
  };
  const { end } = report;
  // An interrupted run gets no verdict, so nothing is evaluated (no judge call after Ctrl-C).
  const assertions =
    end.status === "interrupted"
      ? []
      : await evaluateAssertions(
          scenario.assertions ?? [],
          {
            status: end.status,
            endedReason: end.reason,
            endedBy: end.endedBy,
            transcript: report.conversation,
            // What the call produced, never the scenario's own metadata: `metadata` assertions check the run.
            metadata: producedMetadata,
          },
          { ...fetchDeps, ...(suite.caller?.llm ? { llm: suite.caller.llm } : {}), signal },
        );
  // The detail is a failure, or on caller_ended a failed expectation; on agent_ended it is only information.
  const problem = end.status !== "completed" || end.reason === "caller_ended" ? (end.detail ?? null) : null;
  const verdict = runVerdict({
    status: end.status,
    endedReason: end.reason,
    problem,
    script: scenario.script,
    transcript: report.conversation,
    assertions,
  });
  return {
    run_id: input.runId,
    scenario_id: scenario.id,
    attempt: input.attempt,
    channel: "voice",
    status: end.status,
    ended_reason: end.reason,
    ended_by: end.endedBy,
    passed: verdict.passed,
    duration_ms: report.durationMs,
    transcript: report.conversation,
    // Everything the scenario said about itself is recorded with the run; what the call produced wins.
    metadata: { ...(scenario.metadata ?? {}), ...producedMetadata },
    assertions,
    metrics: report.metrics ?? {},
    error: verdict.error,
  };
}

function configFailure(input: VoiceRunInput, message: string): RunReport {
  return {
    run_id: input.runId,
    scenario_id: input.scenario.id,
    attempt: input.attempt,
    channel: "voice",
    status: "failed",
    ended_reason: "internal_error",
    ended_by: "platform",
    passed: false,
    duration_ms: 0,
    transcript: [],
    metadata: input.scenario.metadata ?? {},
    assertions: [],
    metrics: {},
    error: message,
  };
}
