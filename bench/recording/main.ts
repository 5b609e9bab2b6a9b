/**
 * Writing a call's recording at its end, as the sidecar does beside other live calls: the longest
 * time the event loop is held (every concurrent call's microphone is paced by that loop) and the
 * total time, for
 *   one-piece — the baseline, the recorder's shape until 2026-12-05: both tracks copied into whole
 *               mono arrays, interleaved into one stereo array, each encoded and written at once;
 *   sliced    — CallRecorder.writeFiles: one second at a time, the event loop running between.
 * Recordings of 30, 100 and 300 s (two 48 kHz tracks in 50 ms chunks, as received); 5 rounds each,
 * alternating, median reported, with the ratio to the baseline.
 * Run: npx tsx bench/recording/main.ts
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeWav } from "../../sidecar/src/media/audio/wav.ts";
import { ManualClock } from "../../sidecar/src/media/clock.ts";
import { CallRecorder } from "../../sidecar/src/recording/call-recorder.ts";

const RATE = 48_000;
const CHUNK = 2_400;
const ROUNDS = 5;

/** Two tracks of `seconds` of varied samples, written as 50 ms chunks at their clock times. */
function recording(seconds: number): { recorder: CallRecorder; chunks: Int16Array[] } {
  const recorder = new CallRecorder({ clock: new ManualClock(0), sampleRate: RATE });
  recorder.addParticipant("caller", "user");
  recorder.addParticipant("agent", "agent");
  const chunks: Int16Array[] = [];
  for (let at = 0; at < seconds * RATE; at += CHUNK) {
    const samples = new Int16Array(CHUNK).map((_, k) => ((at + k) * 7919) % 20_000);
    chunks.push(samples);
    recorder.write("caller", { samples, sampleRate: RATE }, (at * 1000) / RATE);
    recorder.write("agent", { samples, sampleRate: RATE }, (at * 1000) / RATE);
  }
  return { recorder, chunks };
}

/** The baseline: the recorder's write path before slicing, on the same chunks. */
async function writeOnePiece(chunks: Int16Array[], dir: string): Promise<void> {
  const frames = chunks.length * CHUNK;
  const stereo = new Int16Array(frames * 2);
  const monos: Int16Array[] = [];
  for (let channel = 0; channel < 2; channel++) {
    const mono = new Int16Array(frames);
    let at = 0;
    for (const c of chunks) {
      mono.set(c, at);
      at += c.length;
    }
    monos.push(mono);
    for (let i = 0; i < frames; i++) stereo[i * 2 + channel] = mono[i] ?? 0;
  }
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "call.stereo.wav"),
    encodeWav({ sampleRate: RATE, channels: 2, samples: stereo }),
  );
  for (const [i, mono] of monos.entries())
    await writeFile(join(dir, `call.${i}.wav`), encodeWav({ sampleRate: RATE, channels: 1, samples: mono }));
}

/** Runs `work` with a 1 ms timer watching the loop: the longest gap between ticks, and the total. */
async function measure(work: () => Promise<void>): Promise<{ heldMs: number; totalMs: number }> {
  let last = performance.now();
  let held = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    held = Math.max(held, now - last);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 5));
  last = performance.now();
  const started = performance.now();
  await work();
  const totalMs = performance.now() - started;
  held = Math.max(held, performance.now() - last);
  clearInterval(tick);
  return { heldMs: held, totalMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const root = await mkdtemp(join(tmpdir(), "spar-bench-recording-"));
console.log(
  "| call | one-piece: loop held / total ms | sliced: loop held / total ms | held ratio | total ratio |",
);
console.log("|---|---|---|---|---|");
try {
  for (const seconds of [30, 100, 300]) {
    const { recorder, chunks } = recording(seconds);
    const base = { held: [] as number[], total: [] as number[] };
    const sliced = { held: [] as number[], total: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const b = await measure(() => writeOnePiece(chunks, join(root, `b${seconds}-${round}`)));
      const s = await measure(async () => {
        await recorder.writeFiles(join(root, `s${seconds}-${round}`));
      });
      base.held.push(b.heldMs);
      base.total.push(b.totalMs);
      sliced.held.push(s.heldMs);
      sliced.total.push(s.totalMs);
      await rm(join(root, `b${seconds}-${round}`), { recursive: true });
      await rm(join(root, `s${seconds}-${round}`), { recursive: true });
    }
    const f = (x: number) => x.toFixed(1);
    console.log(
      `| ${seconds} s | ${f(median(base.held))} / ${f(median(base.total))} | ${f(median(sliced.held))} / ${f(median(sliced.total))} | ×${(median(sliced.held) / median(base.held)).toFixed(2)} | ×${(median(sliced.total) / median(base.total)).toFixed(2)} |`,
    );
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
