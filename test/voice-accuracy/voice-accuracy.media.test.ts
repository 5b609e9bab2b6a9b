import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dispose } from "@livekit/rtc-node";
import { DEFAULT_VAD_ENGINE } from "@spar/sidecar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DevServerProcess,
  startDevServerProcess,
} from "../../sidecar/src/call/dev-server-process.fixture.ts";
import { type CallMeasurement, runAccuracyCall } from "./accuracy-call.ts";
import { formatSummary, stats, summarize } from "./accuracy-summary.ts";
import { expectEveryUtteranceAligned, expectExactDetection } from "./call-evidence.ts";
import { conversation } from "./scenarios.ts";

let server: DevServerProcess;
let dir: string;

beforeAll(async () => {
  server = await startDevServerProcess();
  dir = await mkdtemp(join(tmpdir(), "spar-voice-accuracy-"));
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
  await dispose();
});

describe("turn-taking accuracy against the reference bot (real WebRTC through the dev server)", () => {
  let call: CallMeasurement;

  it("runs a call with five answered turns, a caller barge-in and a bot interruption", async () => {
    call = await runAccuracyCall(
      server,
      conversation("accuracy", { latencyMs: [600, 900, 700, 800, 500] }),
      dir,
    );
    console.log(`${formatSummary(summarize([call]))}\n`);
    // The bot did what it was told: 5 utterances, the third cut by the barge-in, the fifth an interruption.
    expect(call.bot.map((u) => [u.turn, u.kind, u.reason])).toEqual([
      [1, "reply", "finished"],
      [2, "reply", "finished"],
      [3, "reply", "barge_in"],
      [4, "reply", "finished"],
      [5, "interruption", "finished"],
      [5, "reply", "finished"],
    ]);
    // Every utterance arrived, and the oracle sees exactly what the bot injected.
    expect(call.unmatchedBotUtterances).toEqual([]);
    expect(call.oracleMetrics.user_interruptions.count).toBe(1);
    expect(call.oracleMetrics.ai_interruptions.count).toBe(1);
  }, 120_000);

  it("finds every injected interruption and invents none", async () => {
    await expectExactDetection(call);
  });

  it("measures each turn's latency within 20 ms of the oracle, 10 ms on average", () => {
    const st = stats(summarize([call]).vsOracle.latency);
    expect(st.n).toBe(5);
    expect(st.maxAbsMs).toBeLessThanOrEqual(20);
    expect(st.meanAbsMs).toBeLessThanOrEqual(10);
  });

  it("measures interruption times and the stop time within 40 ms of the oracle", () => {
    const s = summarize([call]);
    for (const e of [...s.vsOracle.userInterruptionAt, ...s.vsOracle.aiInterruptionAt])
      expect(Math.abs(e)).toBeLessThanOrEqual(40);
    expect(s.vsOracle.stopTime).toHaveLength(1);
    expect(Math.abs(s.vsOracle.stopTime[0] ?? Number.NaN)).toBeLessThanOrEqual(40);
  });

  it("puts the bot's own log before the arrival by a positive, bounded transit", () => {
    const s = summarize([call]);
    expect(s.transit.startMs).toHaveLength(6);
    for (const t of [...s.transit.startMs, ...s.transit.endMs]) {
      expect(t).toBeGreaterThan(0);
      expect(t).toBeLessThan(400);
    }
  });
});

describe("turn-taking accuracy under a 20 dB pink noise bed (no digital silence), default VAD", () => {
  let call: CallMeasurement;

  it("runs the same call with the bot sending pink noise under and between its utterances", async () => {
    call = await runAccuracyCall(
      server,
      {
        ...conversation("accuracy-pink-20db", {
          latencyMs: [600, 900, 700, 800, 500],
          noiseBed: { kind: "pink", snrDb: 20, seed: 1 },
        }),
        vad: DEFAULT_VAD_ENGINE,
      },
      dir,
    );
    console.log(`${formatSummary(summarize([call]))}\n`);
    // The oracle located every sent speech edge in the received stream (no VAD, no threshold).
    expect(call.oracleKind).toBe("alignment");
    await expectEveryUtteranceAligned(call, 6);
    expect(call.oracleMetrics.user_interruptions.count).toBe(1);
    expect(call.oracleMetrics.ai_interruptions.count).toBe(1);
  }, 120_000);

  it("finds every injected interruption and invents none", async () => {
    await expectExactDetection(call);
  });

  // The oracle dates the first and last sample sent; a line opening on a consonant under the bed
  // could make that a truth nobody hears. It does not here: judged against the bed band by band,
  // every line of 24 recorded pink 20 dB calls (144) was audible from its first sample to its
  // last, but for five "Here is…" heard 1–7 ms after their first.
  it("dates speech a listener could hear over the bed: every line audible within 15 ms of its sent edges", () => {
    expect(call.masking).toHaveLength(6);
    for (const edges of call.masking) {
      expect(edges, "a line none of which was audible").not.toBeNull();
      expect(edges?.startMs).toBeLessThanOrEqual(15);
      expect(edges?.endMs).toBeLessThanOrEqual(15);
    }
  });

  // What one call's 5 turns can show without flaking. Measured 2026-12-05 on 13 calls (before and
  // after the merge of the voice call core and the opening-bed fix, which date these onsets alike):
  // per-call mean |error| 4.8–14.8 ms (mean 9.4, sd 2.8); per-turn errors have a tail (10 calls,
  // 50 turns: p95 25.4 ms, 5 over 20 ms, the worst 43 ms; another call 50.6 ms), so a p95 over one call's 5 turns —
  // this test's bound until then (30 ms) — failed about one call in seven without any change.
  // Dated by level alone (no spectral change point), 3 calls read mean |error| 23.2–25.2 ms, so
  // the 18 ms bound on the mean catches that regression; 80 ms catches a grossly wrong turn. The
  // published p95 comes from bench/voice-accuracy over several calls.
  it("measures latency within 18 ms of the oracle on average, no turn off by more than 80 ms", () => {
    const st = stats(summarize([call]).vsOracle.latency);
    expect(st.n).toBe(5);
    expect(st.meanAbsMs).toBeLessThanOrEqual(18);
    expect(st.maxAbsMs).toBeLessThanOrEqual(80);
  });
});
