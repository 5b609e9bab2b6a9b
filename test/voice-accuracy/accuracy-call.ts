/**
 * One measured call: the reference bot (ground truth) and the sidecar's real LiveKit caller meet
 * in a dev-server room over real WebRTC; afterwards three views of the same call are put side by
 * side, all as `analyzeTurns` metrics over the caller's exact speech intervals:
 * - sidecar: what Spar reports (VAD on the received agent track);
 * - oracle: the received agent track read sample-exactly, same stream and timeline as the VAD.
 *   With digital silence between utterances, speech edges are read from the levels
 *   (received-speech.ts); under a noise bed, each edge the bot logged in its sent stream is found in
 *   the received stream by cross-correlation (sent-speech-alignment.ts). Both are computed on a
 *   clean call, as a check that the two oracles agree;
 * - bot: the bot's own log of when its first/last speech samples were sent (before transit).
 */
import { readFile } from "node:fs/promises";
import {
  alignSentEdges,
  audibleSpan,
  BOT_SAMPLE_RATE,
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
  resample,
  type SpeechInterval,
} from "@spar/sidecar";
import { AccessToken } from "livekit-server-sdk";
import type { DevServerProcess } from "../../sidecar/src/call/dev-server-process.fixture.ts";

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
  /** Which oracle `oracle` is: levels (digital silence) or alignment with the sent stream (noise bed). */
  oracleKind: "levels" | "alignment";
  /** The alignment oracle, per bot utterance in log order (also computed on clean calls). */
  aligned: (SpeechInterval & { correlation: number })[];
  /** Every sample the bot sent (48 kHz), which the alignment oracle located in the recording. */
  sentAudio: Int16Array;
  /**
   * Per bot utterance in log order: how far inside its sent edges it becomes audible over the bed
   * and stops being audible (ms; 0 and 0 without a bed), or null if none of it is audible
   * (audible-speech.ts). The check that the oracle's truth is something a listener could hear.
   */
  masking: (MaskedEdges | null)[];
  /** Where the sidecar's agent recording was written (the stream the VAD and the oracles read). */
  agentRecordingPath: string;
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
    keepSentAudio: true,
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
      max_duration_s: 90,
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
  const levelOracle = findReceivedSpeech(wav.samples, wav.sampleRate).map((r) => ({
    startMs: (r.firstSample * 1000) / wav.sampleRate,
    endMs: ((r.lastSample + 1) * 1000) / wav.sampleRate,
  }));
  const sentAudio = bot.sentAudio();
  const masking = maskedEdges(bot.truth(), sentAudio, bot.sentBed());
  const aligned = alignedOracle(bot.truth(), sentAudio, wav, callStartPerfMs);
  const oracleKind = scenario.bot.noiseBed ? "alignment" : "levels";
  const oracle = oracleKind === "alignment" ? aligned : levelOracle;
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
    oracleKind,
    aligned,
    sentAudio,
    masking,
    agentRecordingPath: agentFile.path,
    sidecar: result.metrics,
    oracleMetrics: analyzeTurns(timeline(oracle)),
    botMetrics: analyzeTurns(timeline(sent)),
    transit: transit.matches,
    unmatchedBotUtterances: transit.unmatchedSent,
    callStartUncertaintyMs: 0.5,
  };
}

/**
 * Each utterance's first and last sent speech sample, found in the agent recording by aligning the
 * bot's sent stream with it (the recording may be at a lower rate: the sent stream is resampled to
 * it first). Times are ms from call start, like the recording's samples.
 */
export function alignedOracle(
  truth: readonly UtteranceTruth[],
  sent48k: Int16Array,
  wav: { samples: Int16Array; sampleRate: number },
  callStartPerfMs: number,
): (SpeechInterval & { correlation: number })[] {
  const rate = wav.sampleRate;
  const sent = rate === BOT_SAMPLE_RATE ? sent48k : resample(sent48k, BOT_SAMPLE_RATE, rate);
  const toRate = (sample48k: number) => Math.round((sample48k * rate) / BOT_SAMPLE_RATE);
  const expected = (botMs: number) => Math.round(((botMs - callStartPerfMs) * rate) / 1000);
  const edges = truth.flatMap((u) => [
    {
      sentSample: toRate(u.startSample),
      kind: "start" as const,
      expectedReceivedSample: expected(u.startMs),
    },
    { sentSample: toRate(u.endSample), kind: "end" as const, expectedReceivedSample: expected(u.endMs) },
  ]);
  const found = alignSentEdges(sent, wav.samples, edges, { sampleRate: rate });
  return truth.map((_, i) => {
    const start = found[2 * i];
    const end = found[2 * i + 1];
    return {
      startMs: ((start?.receivedSample ?? Number.NaN) * 1000) / rate,
      endMs: (((end?.receivedSample ?? Number.NaN) + 1) * 1000) / rate,
      correlation: Math.min(start?.correlation ?? 0, end?.correlation ?? 0),
    };
  });
}

export interface MaskedEdges {
  /** First audible sample − first sample sent, ms. */
  startMs: number;
  /** Last sample sent − last audible sample, ms. */
  endMs: number;
}

/** Each utterance's audible edges against its sent ones, judging the bot's speech (sent − bed) against the bed. */
export function maskedEdges(
  truth: readonly UtteranceTruth[],
  sent: Int16Array,
  bed: Int16Array,
): (MaskedEdges | null)[] {
  // The judge reads half its 10 ms window around each centre; a whole window either side is ample.
  const margin = BOT_SAMPLE_RATE / 100;
  const toMs = (samples: number) => (samples * 1000) / BOT_SAMPLE_RATE;
  return truth.map((u) => {
    const from = Math.max(0, u.startSample - margin);
    const to = Math.min(sent.length, u.endSample + 1 + margin);
    const bedSlice = bed.subarray(from, to);
    const speech = Int32Array.from(sent.subarray(from, to), (v, i) => v - (bedSlice[i] ?? 0));
    const span = audibleSpan(speech, bedSlice, u.startSample - from, u.endSample - from, BOT_SAMPLE_RATE);
    if (!span) return null;
    return {
      startMs: toMs(span.firstSample + from - u.startSample),
      endMs: toMs(u.endSample - from - span.lastSample),
    };
  });
}
