import { randomUUID } from "node:crypto";
import { dispose } from "@livekit/rtc-node";
import { FliteWasiTextToSpeech } from "@spar/sidecar";
import { RoomServiceClient } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MediaDevServer, startMediaDevServer } from "../netns/media-dev-server.ts";
import { TestCaller } from "../reference-voice-bot/testing/test-caller.ts";
import { prepareLines, type VoiceLine } from "../reference-voice-bot/voice-lines.ts";
import type { BotCall } from "./bot-fleet.ts";
import { mintJoinToken } from "./livekit-tokens.ts";
import type { CallEnd } from "./room-watch.ts";
import { type ReferenceBotRunner, startReferenceBotRunner } from "./start-reference-bot-runner.ts";

/**
 * Each endpoint followed the way the platform does it: POST, join with what came back, speak,
 * and hear the reference bot answer; then leave, and the runner stops the bot.
 */
let server: MediaDevServer;
let runner: ReferenceBotRunner;
let callerLine: VoiceLine;
const ended: { call: BotCall; reason: CallEnd | "runner_closed" }[] = [];
const tts = new FliteWasiTextToSpeech("rms");
const LATENCY_MS = 500;

beforeAll(async () => {
  server = await startMediaDevServer();
  runner = await startReferenceBotRunner({
    livekitUrl: server.url,
    apiKey: server.apiKey,
    apiSecret: server.apiSecret,
    bot: { tts, latencyMs: LATENCY_MS, lines: ["Thanks for calling, how can I help?"] },
    pollMs: 200,
    onBotEnded: (call, reason) => ended.push({ call, reason }),
  });
  [callerLine] = (await prepareLines(tts, ["Hello, I would like to check on my order."])) as [VoiceLine];
});

afterAll(async () => {
  await runner?.close();
  await server?.close();
  await dispose();
});

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${runner.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/** Joins, says one line, and returns how long after its last sample the bot's voice arrived. */
async function talk(url: string, token: string, botIdentity: string, room: string): Promise<number> {
  const caller = await TestCaller.join(url, token, botIdentity);
  try {
    // rtc-node needs about a second from the first captured frame to the first RTP packet.
    await new Promise((r) => setTimeout(r, 1500));
    const sent = await caller.say(callerLine.samples);
    const heard = await caller.heardAbove(300, sent.endMs);
    return heard - sent.endMs;
  } finally {
    await caller.close();
    const deadline = Date.now() + 10_000;
    while (!ended.some((e) => e.call.roomName === room) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Reply after the bot's 300 ms VAD hangover and 500 ms plan, plus WebRTC transit on a busy box. */
function expectAnswered(gapMs: number): void {
  expect(gapMs).toBeGreaterThan(LATENCY_MS);
  expect(gapMs).toBeLessThan(LATENCY_MS + 1500);
}

describe("the reference bot runner with a real caller (rtc-node through the dev server)", () => {
  it("create-and-join: the caller joins with the returned token and URL, hears the bot, and its leaving stops the bot", async () => {
    const answer = await post("/api/create-and-join", {
      rubric_run_id: "run-1",
      metadata: { scenario_id: 1 },
    });
    const room = String(answer.room_name);
    expectAnswered(await talk(String(answer.room_url), String(answer.token), "reference-voice-bot", room));
    expect(ended.find((e) => e.call.roomName === room)?.reason).toBe("caller_left");
  });

  it("session: the bot joins the platform's room with the platform's bot token", async () => {
    const room = `rubric-7-${randomUUID().slice(0, 8)}`;
    await new RoomServiceClient(server.httpUrl, server.apiKey, server.apiSecret).createRoom({ name: room });
    const mint = (identity: string) =>
      mintJoinToken({ apiKey: server.apiKey, apiSecret: server.apiSecret, identity, room });
    const answer = await post("/api/session", {
      room_name: room,
      bot_token: await mint("pipecat-bot"),
      livekit_url: server.url,
    });
    expect(answer).toEqual({ status: "started", room_name: room });
    expectAnswered(await talk(server.url, await mint("rubric-test-caller"), "pipecat-bot", room));
    expect(ended.find((e) => e.call.roomName === room)?.reason).toBe("caller_left");
  });

  it("token endpoint: the caller joins with the token and serverUrl it was given", async () => {
    const room = randomUUID();
    const answer = await post("/token", { room_name: room, participant_name: "simulated_user" });
    expect(answer.room_name).toBe(room);
    expectAnswered(await talk(String(answer.serverUrl), String(answer.token), "reference-voice-bot", room));
    expect(ended.find((e) => e.call.roomName === room)?.reason).toBe("caller_left");
  });
});
