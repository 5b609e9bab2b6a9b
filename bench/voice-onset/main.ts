/**
 * Where the energy VAD dates the reference bot's line onsets, without running a call.
 *   npx tsx bench/voice-onset/main.ts offline [--kind pink] [--snr 20] [--seeds 1-24] [--phases 2]
 *                                           [--first-line-ms 1500] [--lead-ms 0]
 *     the accuracy bench's bot lines over its noise beds (no codec), per line: onset |e| p95,
 *     signed mean, worst; and every line dated more than 100 ms off. `--first-line-ms 5000
 *     --lead-ms 350` is a live call's opening: 350 ms of zeros before the first packet, then the
 *     bed alone while the caller speaks first.
 *   npx tsx bench/voice-onset/main.ts replay <evidence dir>… [--phases 10]
 *     calls kept by bench/voice-accuracy ($TMPDIR/spar-voice-accuracy-evidence/*), their agent
 *     recordings replayed at `phases` frame phases (0, 10/phases, … ms in): per utterance, the
 *     error at each phase against the alignment oracle, next to the live call's.
 * The same call heard from another frame phase is another sample of the VAD's error: the live call
 * is one of them.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { exit } from "node:process";
import { parseArgs } from "node:util";
import { NOISE_KINDS, type NoiseKind } from "@spar/devkit/reference-voice-bot";
import { mean, percentile } from "@spar/protocol";
import { FliteWasiTextToSpeech } from "@spar/sidecar";
import { prepareLines } from "../../devkit/src/reference-voice-bot/voice-lines.ts";
import { BOT_LINES } from "../../test/voice-accuracy/scenarios.ts";
import {
  DEFAULT_LAYOUT,
  linesOverBed,
  type OnsetError,
  readKeptCall,
  replayKeptCall,
} from "./onset-errors.ts";

function usage(problem: string): never {
  console.error(`voice-onset: ${problem}
usage: npx tsx bench/voice-onset/main.ts offline [--kind white|pink|babble] [--snr dB] [--seeds A-B] [--phases N]
                                               [--first-line-ms MS] [--lead-ms MS]
       npx tsx bench/voice-onset/main.ts replay <evidence dir>... [--phases N]`);
  exit(2);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    kind: { type: "string", default: "pink" },
    snr: { type: "string", default: "20" },
    seeds: { type: "string", default: "1-24" },
    phases: { type: "string" },
    "first-line-ms": { type: "string", default: String(DEFAULT_LAYOUT.firstLineMs) },
    "lead-ms": { type: "string", default: String(DEFAULT_LAYOUT.leadMs) },
  },
});
const [mode, ...dirs] = positionals;
const phases = Number(values.phases ?? (mode === "replay" ? 10 : 2));
if (!(Number.isInteger(phases) && phases >= 1 && phases <= 48))
  usage(`--phases ${values.phases} must be a whole number in 1..48`);

const fmt = (ms: number) => ms.toFixed(1);

/** |e| p95, mean signed, worst |e| and misses of one set of onsets. */
function describe(errors: readonly OnsetError[]): string {
  const found = errors.flatMap((e) => (e.errorMs === undefined ? [] : [e.errorMs]));
  const missed = errors.length - found.length;
  if (found.length === 0) return `n ${errors.length}, all missed`;
  const abs = found.map(Math.abs);
  return `n ${found.length}: |e| p95 ${fmt(percentile(abs, 95))}, mean signed ${fmt(mean(found))}, worst ${fmt(Math.max(...abs))} ms${missed ? `, ${missed} missed` : ""}`;
}

if (mode === "offline") {
  const kind = values.kind as NoiseKind;
  if (!NOISE_KINDS.includes(kind)) usage(`--kind ${values.kind} must be one of ${NOISE_KINDS.join(", ")}`);
  const snr = Number(values.snr);
  if (!(Number.isFinite(snr) && snr >= 0 && snr <= 60)) usage(`--snr ${values.snr} must be dB in 0..60`);
  const range = /^(\d+)-(\d+)$/.exec(values.seeds ?? "");
  const [first, last] = [Number(range?.[1]), Number(range?.[2])];
  if (!range || last < first) usage(`--seeds ${values.seeds} must be a range A-B with A <= B (e.g. 1-24)`);
  const layout = { firstLineMs: Number(values["first-line-ms"]), leadMs: Number(values["lead-ms"]) };
  if (!(Number.isInteger(layout.firstLineMs) && layout.firstLineMs >= 0 && layout.firstLineMs <= 60_000))
    usage(`--first-line-ms ${values["first-line-ms"]} must be whole ms in 0..60000`);
  if (!(Number.isInteger(layout.leadMs) && layout.leadMs >= 0 && layout.leadMs <= layout.firstLineMs))
    usage(`--lead-ms ${values["lead-ms"]} must be whole ms from 0 to --first-line-ms`);
  const lines = await prepareLines(new FliteWasiTextToSpeech("rms"), BOT_LINES);
  const all: OnsetError[] = [];
  for (let seed = first; seed <= last; seed++)
    all.push(...linesOverBed(lines, kind, snr, seed, phases, layout));
  console.log(
    `${kind} ${snr} dB, seeds ${first}-${last}, ${phases} phases, first line at ${layout.firstLineMs} ms after ${layout.leadMs} ms of zeros, energy VAD, no codec`,
  );
  console.log(`  every line  ${describe(all)}`);
  for (const text of BOT_LINES)
    console.log(
      `  ${JSON.stringify(text.slice(0, 24)).padEnd(27)} ${describe(all.filter((e) => e.label === text))}`,
    );
  const far = all.filter((e) => e.errorMs !== undefined && Math.abs(e.errorMs) > 100);
  console.log(
    `  off by more than 100 ms: ${far.length} of ${all.length}${far.length ? ` (${far.map((e) => `seed ${e.seed} line ${BOT_LINES.indexOf(e.label) + 1} ${fmt(e.errorMs ?? 0)}`).join(", ")})` : ""}`,
  );
} else if (mode === "replay") {
  if (dirs.length === 0) usage("replay needs at least one evidence directory");
  const all: OnsetError[] = [];
  for (const dir of dirs) {
    if (!existsSync(join(dir, "call.json"))) usage(`${dir} holds no call.json: not a kept call`);
    const call = readKeptCall(dir);
    const byPhase = Array.from({ length: phases }, (_, p) => replayKeptCall(call, (p * 10) / phases));
    all.push(...byPhase.flat());
    console.log(`${call.name}: ${describe(byPhase.flat())}`);
    call.oracle.forEach((o, i) => {
      const live = call.liveStartsMs.find((s) => Math.abs(s - o.startMs) < 300);
      const errors = byPhase.map((p) => p[i]?.errorMs);
      const shown = errors.map((e) => (e === undefined ? "miss" : fmt(e))).join(" ");
      console.log(
        `  utterance ${i + 1} at ${fmt(o.startMs)} ms: live ${live === undefined ? "—" : fmt(live - o.startMs)}; phases ${shown}`,
      );
    });
  }
  if (dirs.length > 1) console.log(`every call: ${describe(all)}`);
} else {
  usage(mode === undefined ? "name a mode" : `unknown mode ${JSON.stringify(mode)}`);
}
