import { join } from "node:path";
import type { EndedReason, VoiceJob, VoiceResult, VoiceRunEventBody } from "@spar/protocol";
import type { ChatRoomConnector } from "../chat/chat-room.ts";
import { runChatJob } from "../chat/run-chat-job.ts";
import type { VoiceCallRunner } from "../job-api/voice-call-runner.ts";
import { type Clock, monotonicClock } from "../media/clock.ts";
import { ProcessTextToSpeech } from "../media/tts/process-text-to-speech.ts";
import type { TextToSpeech } from "../media/tts/text-to-speech.ts";
import { DEFAULT_VAD_ENGINE, type VadEngine } from "../media/vad/create-voice-activity.ts";
import type { ObserverRoomConnector } from "../observe/observer-room.ts";
import { runObserveJob } from "../observe/run-observe-job.ts";
import type { CallRoomConnector } from "../room/call-room.ts";
import { LiveKitCallRoomConnector } from "../room/livekit-call-room.ts";
import { enterRoom, roomEntryPorts } from "../room-entry/room-entry.ts";
import type { RoomEntryPorts } from "../room-entry/room-entry-types.ts";
import { type CallLimits, DEFAULT_CALL_LIMITS } from "./call-limits.ts";
import { runCall } from "./call-session.ts";
import { brainFor, decodeCallerConfig } from "./caller-config.ts";
import { interruptAfterMsByMove } from "./interrupt-plan.ts";
import { type SttEngine, sttFactory, vadFactory } from "./speech-engines.ts";
import { artifactsOf, voiceResultOf } from "./voice-result.ts";

export interface LiveKitRunnerOptions {
  /** Each run's WAVs go to `<recordingsDir>/<run_id>/`. */
  recordingsDir: string;
  vad?: VadEngine;
  stt?: SttEngine;
  tts?: TextToSpeech;
  clock?: Clock;
  wallNow?: () => number;
  connector?: CallRoomConnector;
  /** Chat jobs (`chat: true`) join through this instead (no audio). */
  chatConnector?: ChatRoomConnector;
  /** Observer jobs (`observe`, a browser session) join through this instead (publishing nothing). */
  observerConnector?: ObserverRoomConnector;
  fetch?: typeof fetch;
  /** Overrides of the spec's stage limits (tests shorten them). */
  limits?: Partial<CallLimits>;
  /** Room entry's ports (endpoint/room-creation limits, outbound check, randomness, log); `fetch` above is its default. */
  roomEntry?: Partial<RoomEntryPorts>;
}

export class LiveKitVoiceCallRunner implements VoiceCallRunner {
  private readonly tts: TextToSpeech;
  private readonly clock: Clock;
  private readonly connector: CallRoomConnector;

  constructor(private readonly options: LiveKitRunnerOptions) {
    this.tts = options.tts ?? new ProcessTextToSpeech("rms");
    this.clock = options.clock ?? monotonicClock;
    this.connector = options.connector ?? new LiveKitCallRoomConnector({ clock: this.clock });
  }

  async run(
    job: VoiceJob,
    events: (event: VoiceRunEventBody) => void,
    signal: AbortSignal,
  ): Promise<VoiceResult> {
    const wallNow = this.options.wallNow ?? Date.now;
    const startedAt = wallNow();
    const early = (message: string, reason: EndedReason = "internal_error"): VoiceResult =>
      failedResult(job, startedAt, wallNow(), message, reason);
    if (job.observe) {
      return runObserveJob(job, events, signal, {
        recordingsDir: this.options.recordingsDir,
        clock: this.clock,
        wallNow,
        ...(this.options.vad ? { vad: this.options.vad } : {}),
        ...(this.options.observerConnector ? { connector: this.options.observerConnector } : {}),
        ...(this.options.limits?.connectMs === undefined ? {} : { connectMs: this.options.limits.connectMs }),
        ...(this.options.limits?.agentJoinMs === undefined
          ? {}
          : { agentJoinMs: this.options.limits.agentJoinMs }),
      });
    }
    let config: ReturnType<typeof decodeCallerConfig>;
    try {
      config = decodeCallerConfig(job.caller);
    } catch (cause) {
      return early(cause instanceof Error ? cause.message : String(cause));
    }
    const brain = brainFor(
      config,
      { scenarioId: job.scenario.id, agentId: job.agent_id ?? "agent" },
      this.options.fetch ? { fetch: this.options.fetch } : {},
    );
    const limits: CallLimits = {
      ...DEFAULT_CALL_LIMITS,
      ...this.options.limits,
      maxDurationMs: job.max_duration_s * 1000,
      ...(job.agent_join_timeout_ms === undefined ? {} : { agentJoinMs: job.agent_join_timeout_ms }),
      ...(job.turn_timeout_ms === undefined ? {} : { turnTimeoutMs: job.turn_timeout_ms }),
      ...(config.endpointing_ms === undefined ? {} : { endpointingMs: config.endpointing_ms }),
      ...(config.greeting_wait_ms === undefined ? {} : { greetingWaitMs: config.greeting_wait_ms }),
    };
    events({ type: "stage_started", stage: "room_entry" });
    const entry = await enterRoom(
      job.connection,
      {
        runId: job.run_id,
        scenario: { id: platformId(job.scenario.id), name: job.scenario.name },
        agentId: job.agent_id === undefined ? undefined : platformId(job.agent_id),
        ...(job.chat ? { chat: true } : {}),
      },
      roomEntryPorts({
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
        ...this.options.roomEntry,
        signal,
      }),
    );
    if (!entry.ok) {
      if (signal.aborted) {
        events({ type: "stage_finished", stage: "room_entry", ok: false, reason: "interrupted" });
        return { ...early(entry.message, "interrupted"), status: "interrupted" };
      }
      events({ type: "stage_finished", stage: "room_entry", ok: false, reason: entry.reason });
      return early(entry.message, entry.reason);
    }
    events({ type: "stage_finished", stage: "room_entry", ok: true });
    if (job.chat) {
      const result = await runChatJob(job, entry, events, signal, {
        wallNow,
        clock: this.clock,
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
        ...(this.options.chatConnector ? { connector: this.options.chatConnector } : {}),
      }).finally(() => entry.release?.());
      const roomName = result.room_name ?? entry.roomName;
      return roomName === undefined ? result : { ...result, room_name: roomName };
    }
    const makeStt = sttFactory(this.options.stt ?? "pocketsphinx");
    const report = await runCall(
      {
        url: entry.url,
        token: entry.token,
        brain,
        ...(config.script ? { interruptAfterMsByMove: interruptAfterMsByMove(config.script) } : {}),
        ...(config.agent_identity === undefined ? {} : { agentIdentity: config.agent_identity }),
        limits,
        recordingDir: join(this.options.recordingsDir, job.run_id),
      },
      {
        connector: this.connector,
        tts: this.tts,
        makeVad: vadFactory(this.options.vad ?? DEFAULT_VAD_ENGINE),
        ...(makeStt ? { makeStt } : {}),
        clock: this.clock,
        wallNow,
        emit: events,
        signal,
      },
    ).finally(() => entry.release?.());
    const named = report.roomName ? report : { ...report, roomName: entry.roomName };
    return voiceResultOf(job.run_id, named, await artifactsOf(report.recording));
  }
}

/**
 * The gateway sends its integer ids as decimal strings; bot runners get them back as the integers
 * they are (spec: "integers through the gateway"). Anything else stays the string it is.
 */
export function platformId(id: string): string | number {
  return /^(0|[1-9]\d{0,15})$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : id;
}

function failedResult(
  job: VoiceJob,
  startedAt: number,
  endedAt: number,
  message: string,
  reason: EndedReason,
): VoiceResult {
  return {
    run_id: job.run_id,
    status: "failed",
    ended_reason: reason,
    error_message: message.slice(0, 4096),
    started_at: new Date(startedAt).toISOString(),
    ended_at: new Date(endedAt).toISOString(),
    duration_ms: endedAt - startedAt,
    transcript: [],
    recording: null,
    metrics: null,
    artifacts: [],
  };
}
