/**
 * One voice run for the embedded CLI (`spar run --channel voice`): a suite scenario played once
 * in the agent's LiveKit room, entered by the channel's mode (room-entry/: bot runner, session
 * endpoint, dispatch, token endpoint, or manual URL + token / API key to mint one), evaluated with
 * the shared assertions, reported in the JSON report's run shape. The ids sent to bot runners are
 * the suite's.
 */
import { join } from "node:path";
import { assembleRunReport, callerFor, notStartedReport } from "@spar/caller";
import type {
  EndedReason,
  RunReport,
  Scenario,
  Suite,
  VoiceLimitSettings,
  VoiceRunEventBody,
} from "@spar/protocol";
import { type Clock, monotonicClock } from "../media/clock.ts";
import { ProcessTextToSpeech } from "../media/tts/process-text-to-speech.ts";
import type { TextToSpeech } from "../media/tts/text-to-speech.ts";
import { DEFAULT_VAD_ENGINE, type VadEngine } from "../media/vad/create-voice-activity.ts";
import type { CallRoomConnector } from "../room/call-room.ts";
import { LiveKitCallRoomConnector } from "../room/livekit-call-room.ts";
import type { RoomEntryPorts } from "../room-entry/room-entry-types.ts";
import { enterSuiteRoom } from "../room-entry/suite-room-entry.ts";
import { type CallLimits, DEFAULT_CALL_LIMITS } from "./call-limits.ts";
import { type CallReport, runCall } from "./call-session.ts";
import { interruptAfterMsByMove } from "./interrupt-plan.ts";
import { type SttEngine, sttFactory, vadFactory } from "./speech-engines.ts";
import { callerAudioOf } from "./voice-result.ts";

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
  /** Identity the caller joins as when a manual suite's token is minted here. */
  callerIdentity?: string;
  /** The run's stage, participant and turn events as they happen (the sidecar job's event bodies). */
  onEvent?: (event: VoiceRunEventBody) => void;
  /** Room entry's ports (limits, outbound check, randomness, log); `fetch` above is its default. */
  roomEntry?: Partial<RoomEntryPorts>;
}

/** The suite's own voice limits (`agent.voice.max_duration_s`, `agent_join_timeout_s`), in ms. */
function suiteVoiceLimits(voice: VoiceLimitSettings | undefined): Partial<CallLimits> {
  return {
    ...(voice?.max_duration_s === undefined ? {} : { maxDurationMs: voice.max_duration_s * 1000 }),
    ...(voice?.agent_join_timeout_s === undefined ? {} : { agentJoinMs: voice.agent_join_timeout_s * 1000 }),
  };
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
  if (tts && tts.provider !== "offline") {
    return notStarted(
      input,
      "internal_error",
      `caller.tts.provider "${tts.provider}" is not supported by the embedded runner; use offline`,
    );
  }
  const emit = deps.onEvent ?? (() => undefined);
  const access = await enterSuiteRoom(
    { suite, scenario, runId: input.runId },
    {
      ...fetchDeps,
      signal,
      emit,
      ...(deps.callerIdentity ? { callerIdentity: deps.callerIdentity } : {}),
      ...(deps.roomEntry ? { roomEntry: deps.roomEntry } : {}),
    },
  );
  if (!access.ok) return notStarted(input, access.reason, access.message);
  const clock = deps.clock ?? monotonicClock;
  const makeStt = sttFactory(deps.stt ?? "pocketsphinx");
  const report: CallReport = await runCall(
    {
      url: access.url,
      token: access.token,
      brain: callerFor(scenario, suite, fetchDeps),
      ...(scenario.script ? { interruptAfterMsByMove: interruptAfterMsByMove(scenario.script) } : {}),
      ...(suite.agent.voice?.agent_identity ? { agentIdentity: suite.agent.voice.agent_identity } : {}),
      limits: { ...DEFAULT_CALL_LIMITS, ...suiteVoiceLimits(suite.agent.voice), ...deps.limits },
      recordingDir: join(deps.recordingsDir ?? ".spar/recordings", input.runId),
    },
    {
      connector: deps.connector ?? new LiveKitCallRoomConnector({ clock }),
      tts: deps.tts ?? offlineTts(),
      makeVad: vadFactory(deps.vad ?? DEFAULT_VAD_ENGINE),
      ...(makeStt ? { makeStt } : {}),
      clock,
      wallNow: Date.now,
      emit,
      signal,
    },
  ).finally(() => access.release?.());
  const roomName = report.roomName ?? access.roomName;
  const producedMetadata: Record<string, unknown> = {
    ...(roomName ? { room_name: roomName } : {}),
    // A `metadata` assertion can require `{caller_audio: {underruns: 0}}`.
    ...(report.playout ? { caller_audio: callerAudioOf(report.playout) } : {}),
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
  return assembleRunReport(
    {
      runId: input.runId,
      scenario,
      attempt: input.attempt,
      channel: "voice",
      outcome: {
        status: end.status,
        endedReason: end.reason,
        endedBy: end.endedBy,
        transcript: report.conversation,
        metadata: producedMetadata,
      },
      // The detail is a failure, or on caller_ended a failed expectation; on agent_ended it is only information.
      problem: end.status !== "completed" || end.reason === "caller_ended" ? (end.detail ?? null) : null,
      durationMs: report.durationMs,
      metrics: report.metrics ?? {},
    },
    { ...fetchDeps, ...(suite.caller?.llm ? { llm: suite.caller.llm } : {}), signal },
  );
}

/** A run that never got into the room: failed with the stage's reason, no verdict to compute. */
function notStarted(input: VoiceRunInput, reason: EndedReason, message: string): RunReport {
  const { runId, scenario, attempt } = input;
  return notStartedReport({ runId, scenario, attempt, channel: "voice", reason, message, metrics: {} });
}
