/**
 * One measured call: the reference bot (ground truth) and the sidecar's real LiveKit caller meet
 * in a dev-server room over real WebRTC; afterwards three views of the same call are put side by
 * side, all as `analyzeTurns` metrics over the caller's exact speech intervals:
 * - sidecar: what Spar reports (VAD on the received agent track);
 * - oracle: the received agent track read sample-exactly (the bot sends digital silence between
 *   utterances, so received speech edges need no VAD) — same stream, same timeline as the VAD;
 * - bot: the bot's own log of when its first/last speech samples were sent (before transit).
 */
import { readFile } from "node:fs/promises";
import {
  findReceivedSpeech,
  matchTransit,
  type ReferenceVoiceBotOptions,
  startReferenceVoiceBot,
  type TransitMatch,
  type UtteranceTruth,
} from "@spar/devkit/reference-voice-bot";
import {
  type ScriptStep,
  type VoiceJob,
  type VoiceMetrics,
  type VoiceResult,
  voiceResultSchema,
} from "@spar/protocol";
import {
  analyzeTurns,
  type CallTimeline,
  decodeWav,
  LiveKitVoiceCallRunner,
  type SpeechInterval,
} from "@spar/sidecar";
import { AccessToken } from "livekit-server-sdk";
import type { DevServerProcess } from "./dev-server-process.ts";

export type BotBehaviour = Omit<ReferenceVoiceBotOptions, "url" | "token" | "clock" | "onUtterance">;

export interface AccuracyScenario {
  name: string;
  bot: BotBehaviour;
  script: ScriptStep[];
  /** Sidecar VAD engine for the agent track. */
  vad?: "energy" | "silero";
}

export interface CallMeasurement {
  scenario: string;
  result: VoiceResult;
  bot: UtteranceTruth[];
  /** Caller speech, ms from call start (exact: the sidecar's own playout). */
  caller: SpeechInterval[];
  /** Received agent speech read sample-exactly from the sidecar's agent recording, ms from call start. */
  oracle: SpeechInterval[];
  sidecar: VoiceMetrics;
  oracleMetrics: VoiceMetrics;
  botMetrics: VoiceMetrics;
  /** Bot send → caller-side arrival, per utterance. */
  transit: TransitMatch[];
  unmatchedBotUtterances: string[];
  /** Where the call start sits on performance.now(): ISO start times carry whole ms only. */
  callStartUncertaintyMs: number;
}

/** Wall time tied to performance.now, so the result's `started_at` maps back onto the bot's clock. */
const WALL_OFFSET_MS = Date.now() - performance.now();

async function token(server: DevServerProcess, identity: string, room: string): Promise<string> {
  const at = new AccessToken(server.apiKey, server.apiSecret, { identity, ttl: "10m" });
  at.addGrant({ roomJoin: true, room });
  return at.toJwt();
}

export async function runAccuracyCall(
  server: DevServerProcess,
  scenario: AccuracyScenario,
  recordingsDir: string,
): Promise<CallMeasurement> {
  const room = `accuracy-${scenario.name}-${process.pid}-${Math.round(performance.now())}`;
  const bot = await startReferenceVoiceBot({
    url: server.url,
    token: await token(server, "agent", room),
    ...scenario.bot,
  });
  let result: VoiceResult;
  let heard: ReturnType<typeof bot.heardCaller> = [];
  try {
    const runner = new LiveKitVoiceCallRunner({
      recordingsDir,
      stt: "none", // the bot publishes lk.transcription: exact words, no ASR CPU competing with timing
      vad: scenario.vad ?? "energy",
      wallNow: () => performance.now() + WALL_OFFSET_MS,
    });
    const job: VoiceJob = {
      run_id: room,
      scenario: { id: scenario.name, name: scenario.name },
      connection: {
        mode: "manual",
        livekit_room_url: server.url,
        access_token: await token(server, "rubric-test-caller", room),
      },
      caller: { greeting_wait_ms: 300, script: scenario.script },
      max_duration_s: 120,
      turn_timeout_ms: 10_000,
    };
    result = voiceResultSchema.parse(await runner.run(job, () => undefined, new AbortController().signal));
  } finally {
    heard = bot.heardCaller();
    await bot.close();
  }
  if (result.status !== "completed" || !result.metrics || !result.recording) {
    const said = bot.truth().map((u) => `${u.id} turn ${u.turn} ${u.kind} ${u.reason}`);
    throw new Error(
      `${scenario.name}: the call did not complete: ${result.ended_reason} ${result.error_message ?? ""}\n` +
        `transcript: ${JSON.stringify(result.transcript)}\nbot said: ${said.join("; ")}\n` +
        `bot heard: ${JSON.stringify(heard)}`,
    );
  }
  // Date keeps whole ms: the true start lies in [floor, floor + 1).
  const callStartPerfMs = Date.parse(result.started_at) - WALL_OFFSET_MS + 0.5;
  const agentFile = result.recording.participants.find((p) => p.role === "agent");
  if (!agentFile) throw new Error(`${scenario.name}: no agent recording`);
  const wav = decodeWav(await readFile(agentFile.path));
  const oracle = findReceivedSpeech(wav.samples, wav.sampleRate).map((r) => ({
    startMs: (r.firstSample * 1000) / wav.sampleRate,
    endMs: ((r.lastSample + 1) * 1000) / wav.sampleRate,
  }));
  const caller = result.transcript
    .filter((t) => t.role === "user")
    .map((t) => ({ startMs: t.start_ms, endMs: t.end_ms }));
  const truth = bot.truth();
  const timeline = (agent: SpeechInterval[]): CallTimeline => ({
    callStartMs: 0,
    callEndMs: result.duration_ms,
    caller,
    agent,
    agentWordCount: null,
    agentVad: null,
    stt: null,
  });
  const sent = truth.map((u) => ({ startMs: u.startMs - callStartPerfMs, endMs: u.endMs - callStartPerfMs }));
  const transit = matchTransit(
    truth.map((u, i) => ({ id: u.id, ...(sent[i] ?? { startMs: 0, endMs: 0 }) })),
    oracle,
  );
  return {
    scenario: scenario.name,
    result,
    bot: truth,
    caller,
    oracle,
    sidecar: result.metrics,
    oracleMetrics: analyzeTurns(timeline(oracle)),
    botMetrics: analyzeTurns(timeline(sent)),
    transit: transit.matches,
    unmatchedBotUtterances: transit.unmatchedSent,
    callStartUncertaintyMs: 0.5,
  };
}
