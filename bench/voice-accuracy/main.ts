// Benchmark: how exact are the sidecar's turn-taking metrics? The reference voice bot (known
// latencies, interruptions, barge-in stops; digital silence between utterances) and the sidecar's
// real LiveKit caller meet through the dev server over real WebRTC; each metric's error is printed
// against the sample-exact oracle (the VAD's own error) and against the bot's log (plus transit).
// Run: npx tsx bench/voice-accuracy/main.ts [--calls-per-scenario N] [--vad energy|silero]
//      (re-executes itself inside a network namespace; needs root)
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { dispose } from "@livekit/rtc-node";
import { insideMediaNamespace, runInMediaNamespace } from "@spar/devkit/netns";
import {
  type AccuracyScenario,
  type CallMeasurement,
  runAccuracyCall,
} from "../../test/voice-accuracy/accuracy-call.ts";
import { formatSummary, summarize } from "../../test/voice-accuracy/accuracy-summary.ts";
import { startDevServerProcess } from "../../test/voice-accuracy/dev-server-process.ts";
import { conversation } from "../../test/voice-accuracy/scenarios.ts";

if (!insideMediaNamespace()) {
  process.exit(await runInMediaNamespace(process.execPath, [...process.execArgv, ...process.argv.slice(1)]));
}

const { values } = parseArgs({
  options: {
    "calls-per-scenario": { type: "string", default: "1" },
    vad: { type: "string", default: "energy" },
  },
});
const repeat = Number(values["calls-per-scenario"]);
const vad = values.vad;
if (!(Number.isInteger(repeat) && repeat >= 1))
  throw new Error("--calls-per-scenario must be an integer >= 1");
if (vad !== "energy" && vad !== "silero") throw new Error("--vad must be energy or silero");

const scenarios: AccuracyScenario[] = [
  conversation("fixed-700", { latencyMs: 700, bargeIn: { stopWithinMs: 300 } }),
  conversation("list", { latencyMs: [400, 1_200, 650, 900, 550], bargeIn: { stopWithinMs: 150 } }),
  conversation("jitter-a", {
    latencyMs: { meanMs: 800, jitterMs: 300, seed: 1 },
    bargeIn: { stopWithinMs: 500 },
  }),
  conversation("jitter-b", {
    latencyMs: { meanMs: 600, jitterMs: 250, seed: 2 },
    bargeIn: { stopWithinMs: 250 },
  }),
].map((s) => ({ ...s, vad }));

const server = await startDevServerProcess();
const dir = await mkdtemp(join(tmpdir(), "spar-voice-accuracy-bench-"));
const calls: CallMeasurement[] = [];
const failures: string[] = [];
try {
  for (let r = 0; r < repeat; r++) {
    for (const s of scenarios) {
      const started = performance.now();
      try {
        const call = await runAccuracyCall(server, { ...s, name: `${s.name}-${r + 1}` }, dir);
        calls.push(call);
        console.error(`[bench] ${call.scenario}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
      } catch (err) {
        failures.push(
          `${s.name}-${r + 1}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`,
        );
        console.error(`[bench] ${s.name}-${r + 1} failed: ${String(err)}`);
      }
    }
  }
} finally {
  await server.close();
  await rm(dir, { recursive: true, force: true });
  await dispose();
}

console.log(
  `# Voice turn-taking accuracy (sidecar VAD: ${vad}; ${calls.length} calls, ${failures.length} failed)\n`,
);
console.log(formatSummary(summarize(calls)));
console.log(`
How to read it (see devkit/src/reference-voice-bot/ACCURACY.md):
- "− oracle" is the sidecar's measurement error alone: the oracle reads the same received agent
  stream on the same timeline as the sidecar's VAD, sample-exactly (the bot sends exact zeros
  between utterances, so speech edges need no VAD). Caller times are exact on both sides.
- "− bot log" adds the one-way WebRTC path (Opus, jitter buffer, this machine's event loops):
  the sidecar measures what the caller experiences, later than the bot sent it by the transit.
- transit = caller-side arrival − bot send, per utterance (start and end of speech).
- callStart on the bot's clock is known to ±0.5 ms (ISO timestamps carry whole ms): bot-log rows only.`);
if (failures.length) console.log(`\nFailed calls:\n${failures.join("\n")}`);
