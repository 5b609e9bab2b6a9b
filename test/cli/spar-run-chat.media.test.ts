/**
 * `spar run` on a suite whose agent has `voice.chat: true`, embedded: the caller writes over
 * LiveKit text streams to the reference bot in chat mode, and the run is reported as a text run.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { dispose } from "@livekit/rtc-node";
import { type MediaDevServer, startMediaDevServer } from "@spar/devkit/netns";
import { type ReferenceVoiceBot, startReferenceVoiceBot } from "@spar/devkit/reference-voice-bot";
import { suiteReportSchema } from "@spar/protocol";
import { AccessToken } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spar, tempDir, writeSuite } from "./cli-harness.ts";

let server: MediaDevServer;
let bot: ReferenceVoiceBot;
let dir: string;
const ROOM = "cli-chat";

beforeAll(async () => {
  server = await startMediaDevServer();
  dir = await tempDir();
  const token = new AccessToken(server.apiKey, server.apiSecret, { identity: "reference-bot", ttl: "10m" });
  token.addGrant({ roomJoin: true, room: ROOM, canPublish: true, canSubscribe: true });
  bot = await startReferenceVoiceBot({
    url: server.url,
    token: await token.toJwt(),
    latencyMs: 700,
    lines: ["Thanks for writing. How can I help?", "It ships on Friday."],
    chat: { replyDelayMs: 50 },
  });
}, 60_000);

afterAll(async () => {
  await bot?.close();
  await server?.close();
  await dispose();
});

describe("spar run on a chat agent (embedded)", () => {
  it("plays the script over lk.chat and reports a passing text run", async () => {
    const path = await writeSuite(
      dir,
      "chat.yaml",
      `version: 1
agent:
  id: reference-bot
  voice:
    chat: true
    livekit: { mode: manual, url: "\${LK_URL}", api_key: "\${LK_KEY}", api_secret: "\${LK_SECRET}", room: ${ROOM} }
defaults: { channel: voice }
scenarios:
  - id: when-does-it-ship
    script:
      - say: "Hello, I have a question about my order."
      - expect: /help/
        say: "When will it ship?"
      - expect: /Friday/
        end: true
`,
    );
    const json = join(dir, "chat-report.json");
    const r = await spar(
      ["run", path, "--report-json", json],
      { LK_URL: server.url, LK_KEY: server.apiKey, LK_SECRET: server.apiSecret },
      { outputDir: dir, atExit: async () => undefined },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const run = suiteReportSchema.parse(JSON.parse(await readFile(json, "utf8"))).runs[0]!;
    expect(run).toMatchObject({
      channel: "text",
      status: "completed",
      ended_reason: "caller_ended",
      passed: true,
      metadata: { transport: "livekit_chat", room_name: ROOM },
      metrics: { turns: 2 },
    });
    expect(run.transcript.map((e) => e.role)).toEqual(["user", "agent", "user", "agent"]);
  }, 120_000);
});
