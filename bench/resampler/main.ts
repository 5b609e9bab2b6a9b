/**
 * Resamplers side by side on a 10 s log sweep fed in 10 ms chunks: CPU ms per second of audio, the
 * ratio to the linear interpolator measured in the same run (the baseline), and image/alias energy
 * outside the lower rate's band relative to the audio.
 *   linear   — StreamingResampler (the old path for TTS → 48 kHz; still the VAD/recorder path)
 *   sinc     — SincResampler (polyphase Kaiser-windowed sinc, pure TS; the new path)
 *   soxr-*   — @livekit/rtc-node's AudioResampler (libsoxr via FFI) at three quality settings
 * Run: npx tsx bench/resampler/main.ts
 */
import { cpuUsage } from "node:process";
import { AudioFrame, AudioResampler, AudioResamplerQuality, dispose } from "@livekit/rtc-node";
import { concatPcm, SincResampler, StreamingResampler } from "@spar/sidecar";
import { energyAboveRatioDb, rmsRatioDb } from "../../sidecar/src/media/audio/spectrum.ts";
import { logSweep } from "../../sidecar/src/media/audio/test-signals.ts";

const SECONDS = 10;
const ROUNDS = 3;
const PAIRS = [
  [16_000, 48_000],
  [24_000, 48_000],
  [22_050, 48_000],
  [8_000, 48_000],
  [48_000, 16_000],
] as const;

/** A streaming resampler as the bench drives it: chunks in, then the tail. */
interface Engine {
  push(chunk: Int16Array): Int16Array;
  end(): Int16Array;
}

const ENGINES: Record<string, (inRate: number, outRate: number) => Engine> = {
  linear: (i, o) => {
    const r = new StreamingResampler(i, o);
    return { push: (c) => r.push(c), end: () => new Int16Array(0) };
  },
  sinc: (i, o) => {
    const r = new SincResampler(i, o);
    return { push: (c) => r.push(c), end: () => r.flush() };
  },
  ...Object.fromEntries(
    (["MEDIUM", "HIGH", "VERY_HIGH"] as const).map((q) => [
      `soxr-${q.toLowerCase()}`,
      (i: number, o: number): Engine => {
        const r = new AudioResampler(i, o, 1, AudioResamplerQuality[q]);
        const join = (frames: AudioFrame[]) => concatPcm(frames.map((f) => f.data));
        return {
          // A copy: AudioFrame hands the FFI its buffer from offset 0, so a subarray view would resample
          // the wrong samples (the start of the whole input, every time).
          push: (c) => join(r.push(new AudioFrame(c.slice(), i, 1, c.length))),
          end: () => {
            const tail = join(r.flush());
            r.close();
            return tail;
          },
        };
      },
    ]),
  ),
};

function run(make: Engine, input: Int16Array, chunk: number): { out: Int16Array; cpuMs: number } {
  const parts: Int16Array[] = [];
  const before = cpuUsage();
  for (let at = 0; at < input.length; at += chunk) parts.push(make.push(input.subarray(at, at + chunk)));
  parts.push(make.end());
  const used = cpuUsage(before);
  return { out: concatPcm(parts), cpuMs: (used.user + used.system) / 1000 };
}

/**
 * Down-rate aliasing in the time domain: the sweep passes the output's Nyquist at a known time, so
 * the output's RMS after that time (all of it alias) against its RMS before (the audio), in dB.
 * 0.1 s clear of the crossing and of the 20 ms fades at both ends.
 */
function aliasAfterCrossingDb(out: Int16Array, outRate: number, crossingS: number): number {
  const at = (s: number) => Math.round(s * outRate);
  return rmsRatioDb(out, [at(crossingS + 0.1), at(SECONDS - 0.1)], [at(0.1), at(crossingS - 0.1)]);
}

const rows: string[] = [];
for (const [inRate, outRate] of PAIRS) {
  const low = Math.min(inRate, outRate);
  const input = logSweep({ sampleRate: inRate, fromHz: 20, toHz: (low / 2) * 0.99, seconds: SECONDS });
  // Down-rate: sweep across the whole input band; everything after it passes the output's Nyquist is alias.
  const downTo = inRate / 2 - 100;
  const source =
    inRate > outRate ? logSweep({ sampleRate: inRate, fromHz: 20, toHz: downTo, seconds: SECONDS }) : input;
  const crossingS = (SECONDS * Math.log(outRate / 2 / 20)) / Math.log(downTo / 20);
  const chunk = inRate / 100;
  let baseline = 0;
  for (const [name, make] of Object.entries(ENGINES)) {
    run(make(inRate, outRate), source, chunk); // warm-up: JIT and filter design
    let best = Number.POSITIVE_INFINITY;
    let out: Int16Array = new Int16Array(0);
    for (let k = 0; k < ROUNDS; k++) {
      const r = run(make(inRate, outRate), source, chunk);
      best = Math.min(best, r.cpuMs);
      out = r.out;
    }
    const perSecond = best / SECONDS;
    if (name === "linear") baseline = perSecond;
    const dirtyDb =
      inRate < outRate
        ? energyAboveRatioDb(out, outRate, inRate / 2)
        : aliasAfterCrossingDb(out, outRate, crossingS);
    rows.push(
      `| ${inRate} → ${outRate} | ${name} | ${perSecond.toFixed(2)} | ${(perSecond / baseline).toFixed(1)} | ${out.length} | ${dirtyDb.toFixed(1)} |`,
    );
  }
}
console.log(
  "| rates Hz | engine | CPU ms per s of audio | × linear | output samples | images (up) / aliases (down) dB |",
);
console.log("| --- | --- | --- | --- | --- | --- |");
for (const row of rows) console.log(row);
// rtc-node keeps its FFI thread alive until disposed.
await dispose();
