/**
 * `spar run` on a voice suite, embedded: the caller joins a room on the LiveKit dev server where
 * the reference voice bot answers, and the report carries the voice transcript, metrics and
 * recordings. Real rtc-node on both sides, inside the test network namespace.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { dispose } from "@livekit/rtc-node";
import { type MediaDevServer, startMediaDevServer } from "@spar/devkit/netns";
import { type ReferenceVoiceBot, startReferenceVoiceBot } from "@spar/devkit/reference-voice-bot";
import { suiteReportSchema } from "@spar/protocol";
import { decodeWav } from "@spar/sidecar";
import { AccessToken } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spar, tempDir, writeSuite } from "./cli-harness.ts";

let server: MediaDevServer;
let bot: ReferenceVoiceBot;
let dir: string;
const ROOM = "cli-voice";

beforeAll(async () => {
  server = await startMediaDevServer();
  dir = await tempDir();
  const token = new AccessToken(server.apiKey, server.apiSecret, {
    identity: "reference-voice-bot",
    ttl: "10m",
  });
  token.addGrant({ roomJoin: true, room: ROOM, canPublish: true, canSubscribe: true });
  bot = await startReferenceVoiceBot({ url: server.url, token: await token.toJwt(), latencyMs: 700 });
}, 60_000);

afterAll(async () => {
  await bot?.close();
  await server?.close();
  await dispose();
});

describe("spar run --channel voice (embedded)", () => {
  it("runs a scripted voice scenario against the reference bot and reports transcript, latency and recordings", async () => {
    const path = await writeSuite(
      dir,
      "voice.yaml",
      `version: 1
agent:
  id: reference-voice-bot
  voice:
    livekit: { mode: manual, url: "\${LK_URL}", api_key: "\${LK_KEY}", api_secret: "\${LK_SECRET}", room: ${ROOM} }
    agent_identity: reference-voice-bot
defaults: { channel: voice }
scenarios:
  - id: two-turns
    script:
      - say: "Hello, I am calling about my order."
      - say: "Thank you, goodbye."
    assertions:
      - max_latency_ms: 3000
`,
    );
    const json = join(dir, "voice-report.json");
    const released: string[] = [];
    const r = await spar(
      ["run", path, "--report-json", json],
      { LK_URL: server.url, LK_KEY: server.apiKey, LK_SECRET: server.apiSecret },
      {
        outputDir: dir,
        atExit: async () => {
          released.push("media runtime");
        },
      },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(released).toEqual(["media runtime"]);
    const report = suiteReportSchema.parse(JSON.parse(await readFile(json, "utf8")));
    const run = report.runs[0]!;
    expect(run).toMatchObject({ channel: "voice", status: "completed", passed: true });
    expect(run.transcript.filter((e) => e.role === "user").map((e) => e.content)).toEqual([
      "Hello, I am calling about my order.",
      "Thank you, goodbye.",
    ]);
    // The bot answers 700 ms after the caller stops; the caller hears it after the WebRTC transit too.
    const latency = run.metrics.latency_ms as { turns: { latency_ms: number }[] };
    expect(latency.turns.length).toBeGreaterThanOrEqual(1);
    for (const t of latency.turns) {
      expect(t.latency_ms).toBeGreaterThan(650);
      expect(t.latency_ms).toBeLessThan(1700);
    }
    const recording = run.metadata.recording as { sample_rate_hz: number; stereo_path: string };
    const wav = decodeWav(new Uint8Array(await readFile(recording.stereo_path)));
    expect(wav.channels).toBe(2);
    expect(wav.sampleRate).toBe(recording.sample_rate_hz);
    expect(wav.samples.length / 2 / wav.sampleRate).toBeGreaterThan(3);
  }, 120_000);
});
