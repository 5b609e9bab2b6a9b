/**
 * Onset errors of the energy VAD on the accuracy bench's own material, without a call: the bot's
 * lines laid over its noise beds (no codec), and kept calls' agent recordings replayed at several
 * frame phases. What `ACCURACY.md`'s offline and replay figures are measured with.
 */
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import {
  activeSpeechLevel,
  BOT_SAMPLE_RATE,
  createNoiseBed,
  type NoiseKind,
} from "@spar/devkit/reference-voice-bot";
import { decodeWav, EnergyVoiceActivity } from "@spar/sidecar";
import type { VoiceLine } from "../../devkit/src/reference-voice-bot/voice-lines.ts";
import { runVad } from "../../sidecar/src/media/vad/vad-timing.ts";
import type { SpeechSegment } from "../../sidecar/src/media/vad/voice-activity.ts";

/** One line's onset: detected − true start, ms (positive = late); undefined when no segment overlaps it. */
export interface OnsetError {
  label: string;
  errorMs: number | undefined;
  /** The bed's seed, offline. */
  seed?: number;
}

/** Where the lines go offline: the first at `firstLineMs` into the stream, which opens with `leadMs` of digital zeros before the bed. */
export interface OfflineLayout {
  firstLineMs: number;
  leadMs: number;
}

/** The layout `offline` uses unless told: the first line 1.5 s in, the bed from the first sample. */
export const DEFAULT_LAYOUT: OfflineLayout = { firstLineMs: 1_500, leadMs: 0 };

const FRAME_SAMPLES = BOT_SAMPLE_RATE / 100;

/**
 * The lines over one bed (seed `seed`), placed from `layout.firstLineMs` with gaps of 1.2–2.4 s (varied by seed),
 * once for each of `phases` shifts by a part of a 10 ms frame (and a seed-dependent offset), so
 * that onsets fall at every position in the VAD's frames. Truth: each line's first sample (lines
 * are trimmed to their speech bounds, as the bot sends them).
 */
export function linesOverBed(
  lines: readonly VoiceLine[],
  kind: NoiseKind,
  snrDb: number,
  seed: number,
  phases: number,
  layout: OfflineLayout = DEFAULT_LAYOUT,
): OnsetError[] {
  const level = activeSpeechLevel(
    lines.map((l) => l.samples),
    BOT_SAMPLE_RATE,
  );
  const bed = createNoiseBed({ kind, snrDb, seed }, level, BOT_SAMPLE_RATE);
  return Array.from({ length: phases }, (_, phase) =>
    linesAt(lines, bed, seed, phase, phases, layout),
  ).flat();
}

function linesAt(
  lines: readonly VoiceLine[],
  bed: Int16Array,
  seed: number,
  phase: number,
  phases: number,
  layout: OfflineLayout,
): OnsetError[] {
  const starts: number[] = [];
  let at = Math.round(
    (layout.firstLineMs / 1000) * BOT_SAMPLE_RATE +
      (phase * FRAME_SAMPLES) / phases +
      ((seed * 137) % FRAME_SAMPLES),
  );
  for (const [i, line] of lines.entries()) {
    starts.push(at);
    at += line.samples.length + Math.round((1.2 + ((seed * 7 + i * 3) % 7) * 0.2) * BOT_SAMPLE_RATE);
  }
  const samples = new Int16Array(at + BOT_SAMPLE_RATE);
  const lead = Math.round((layout.leadMs / 1000) * BOT_SAMPLE_RATE);
  for (let i = lead; i < samples.length; i++) samples[i] = bed[(i - lead) % bed.length] ?? 0;
  const truth = lines.map((line, i) => {
    const first = starts[i] ?? 0;
    for (let k = 0; k < line.samples.length; k++) {
      const mixed = (samples[first + k] ?? 0) + (line.samples[k] ?? 0);
      samples[first + k] = Math.max(-32768, Math.min(32767, mixed));
    }
    return {
      startMs: (first / BOT_SAMPLE_RATE) * 1000,
      endMs: ((first + line.samples.length) / BOT_SAMPLE_RATE) * 1000,
    };
  });
  const detected = runVad(new EnergyVoiceActivity(), { samples, sampleRate: BOT_SAMPLE_RATE });
  return truth.map((t, i) => ({ label: lines[i]?.text ?? "", errorMs: onsetError(t, detected), seed }));
}

/** What a kept call (bench/voice-accuracy's evidence directory) holds for a replay. */
export interface KeptCall {
  name: string;
  agent: { samples: Int16Array; sampleRate: number };
  /** The alignment oracle's utterances, ms on the recording's timeline. */
  oracle: SpeechSegment[];
  /** The sidecar's agent turns in the live call, start ms. */
  liveStartsMs: number[];
}

export function readKeptCall(dir: string): KeptCall {
  const call = JSON.parse(readFileSync(join(dir, "call.json"), "utf8")) as {
    scenario: string;
    oracleKind: string;
    oracle: SpeechSegment[];
    agentRecordingPath: string;
    result: { transcript: { role: string; start_ms: number }[] };
  };
  if (call.oracleKind !== "alignment")
    throw new Error(`${dir}: a ${call.oracleKind} oracle; only calls under a noise bed are replayed`);
  // Kept under its own file name (call-evidence.ts).
  const file = basename(call.agentRecordingPath);
  const wav = decodeWav(readFileSync(join(dir, file)));
  if (wav.channels !== 1) throw new Error(`${dir}: ${file} has ${wav.channels} channels, not 1`);
  return {
    name: call.scenario,
    agent: { samples: wav.samples, sampleRate: wav.sampleRate },
    oracle: call.oracle,
    liveStartsMs: call.result.transcript.filter((t) => t.role === "agent").map((t) => t.start_ms),
  };
}

/**
 * The call's agent recording through a fresh energy VAD from `skipMs` in: the live VAD's 10 ms
 * frames began wherever the first packet fell, so each skip is another frame phase.
 */
export function replayKeptCall(call: KeptCall, skipMs: number): OnsetError[] {
  const { samples, sampleRate } = call.agent;
  const skip = Math.round((skipMs * sampleRate) / 1000);
  const detected = runVad(new EnergyVoiceActivity(), { samples: samples.subarray(skip), sampleRate }).map(
    (s) => ({ startMs: s.startMs + (skip / sampleRate) * 1000, endMs: s.endMs + (skip / sampleRate) * 1000 }),
  );
  return call.oracle.map((o, i) => ({ label: `utterance ${i + 1}`, errorMs: onsetError(o, detected) }));
}

function onsetError(truth: SpeechSegment, detected: readonly SpeechSegment[]): number | undefined {
  const d = detected.find((s) => s.startMs < truth.endMs && s.endMs > truth.startMs);
  return d === undefined ? undefined : d.startMs - truth.startMs;
}
