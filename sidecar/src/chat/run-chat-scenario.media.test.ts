/**
 * Chat mode end to end: the real rtc-node caller and the reference bot in chat mode meet in the
 * repo's LiveKit dev server (its own process) and talk over `lk.chat` text streams.
 */
import { dispose } from "@livekit/rtc-node";
import { type ReferenceVoiceBot, startReferenceVoiceBot } from "@spar/devkit/reference-voice-bot";
import { parseSuite, runReportSchema, type SuiteInput, voiceResultSchema } from "@spar/protocol";
import { AccessToken } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServerProcess, startDevServerProcess } from "../call/dev-server-process.fixture.ts";
import { DATA_MESSAGE_TOPIC } from "./chat-room.ts";
import { runChatJob } from "./run-chat-job.ts";
import { runChatScenario } from "./run-chat-scenario.ts";

const LINES = ["Hello, this is the reference bot.", "Your order ships on Friday."];
/** Replies take ~100 ms here; a generous turn limit keeps a loaded machine from failing a run that should pass. */
const limits = { greetingWaitMs: 200, turnTimeoutMs: 10_000 };

let server: DevServerProcess;
const bots: ReferenceVoiceBot[] = [];

beforeAll(async () => {
  server = await startDevServerProcess();
});

afterAll(async () => {
  for (const bot of bots) await bot.close().catch(() => undefined);
  await server?.close();
  await dispose();
});

async function token(room: string, identity: string, metadata?: string): Promise<string> {
  const at = new AccessToken(server.apiKey, server.apiSecret, {
    identity,
    ...(metadata === undefined ? {} : { metadata }),
  });
  at.addGrant({ roomJoin: true, room, canPublish: true, canSubscribe: true });
  return at.toJwt();
}

async function chatBot(
  room: string,
  chat: NonNullable<Parameters<typeof startReferenceVoiceBot>[0]["chat"]>,
) {
  const bot = await startReferenceVoiceBot({
    url: server.url,
    token: await token(room, "agent"),
    latencyMs: 600,
    lines: LINES,
    chat,
  });
  bots.push(bot);
  return bot;
}

function chatRun(
  room: string,
  scenario: SuiteInput["scenarios"][number],
  turnTimeoutMs = limits.turnTimeoutMs,
) {
  const parsed = parseSuite({
    version: 1,
    agent: {
      id: "bot",
      voice: {
        chat: true,
        livekit: {
          mode: "manual",
          url: server.url,
          api_key: server.apiKey,
          api_secret: server.apiSecret,
          room,
        },
      },
    },
    defaults: { channel: "voice" },
    scenarios: [scenario],
  } satisfies SuiteInput);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const first = parsed.suite.scenarios[0];
  if (!first) throw new Error("no scenario");
  return runChatScenario(
    { suite: parsed.suite, scenario: first, attempt: 1, runId: `run-${room}`, batchId: "b1" },
    { limits: { ...limits, turnTimeoutMs } },
  );
}

type Script = NonNullable<SuiteInput["scenarios"][number]["script"]>;
const script: Script = [
  { say: "Hi, where is my order?" },
  { expect: "/reference bot/", say: "When will it ship?" },
  { expect: "/Friday/", end: true },
];

describe("runChatScenario (LiveKit chat mode)", () => {
  it("passes a scripted chat against the bot, counting replies sent on lk.chat and lk.transcription once", async () => {
    const bot = await chatBot("chat-pass", { transcription: true, replyDelayMs: 50, leaveAfterReplies: 2 });
    const report = runReportSchema.parse(
      await chatRun("chat-pass", {
        id: "order",
        script: [
          { say: "Hi, where is my order?" },
          { expect: "/reference bot/", say: "When will it ship?" },
          // The bot leaves after its second reply: the agent ends the call.
          { expect: "/Friday/", wait_for_end: true },
        ],
        assertions: [{ agent_said: "/Friday/" }, { ended_by: "agent" }],
      }),
    );
    expect(report).toMatchObject({
      channel: "text",
      status: "completed",
      ended_reason: "agent_ended",
      passed: true,
      error: null,
      metadata: { transport: "livekit_chat", room_name: "chat-pass" },
      metrics: { turns: 2 },
    });
    expect(report.transcript.map((e) => [e.role, e.content])).toEqual([
      ["user", "Hi, where is my order?"],
      ["agent", LINES[0]],
      ["user", "When will it ship?"],
      ["agent", LINES[1]],
    ]);
    const latencies = report.transcript.flatMap((e) => (e.latency_ms === undefined ? [] : [e.latency_ms]));
    // Each reply leaves the bot 50 ms after the message arrived, plus two data-channel hops.
    expect(latencies).toHaveLength(2);
    for (const ms of latencies) expect(ms).toBeGreaterThanOrEqual(50);
    expect(
      bot
        .chatLog()
        .filter((t) => t.direction === "received")
        .map((t) => t.text),
    ).toEqual(["Hi, where is my order?", "When will it ship?"]);
  });

  it("fails agent_timeout when the bot stays silent", async () => {
    await chatBot("chat-silent", { silent: true });
    const report = await chatRun("chat-silent", { id: "silent", script }, 2_000);
    expect(report).toMatchObject({
      status: "failed",
      ended_reason: "agent_timeout",
      passed: false,
      error: "the agent did not reply within 2 s",
    });
  });

  it("fails when an expect does not match what the bot wrote", async () => {
    await chatBot("chat-expect", {});
    const report = await chatRun("chat-expect", {
      id: "wrong-expect",
      script: [{ say: "Hi" }, { expect: "/refund approved/", end: true }],
    });
    expect(report).toMatchObject({ status: "completed", ended_reason: "caller_ended", passed: false });
    expect(report.error).toBe(`expectation failed: expected /refund approved/, agent said "${LINES[0]}"`);
  });

  it("fails when an assertion does not hold", async () => {
    await chatBot("chat-assert", {});
    const report = await chatRun("chat-assert", {
      id: "never-said",
      script: [{ say: "Hi" }, { expect: "/reference bot/", end: true }],
      assertions: [{ agent_never_said: "/reference bot/" }],
    });
    expect(report.error).toMatch(/^agent_never_said: /);
    expect(report).toMatchObject({ status: "completed", ended_reason: "caller_ended", passed: false });
    expect(report.assertions.map((a) => [a.kind, a.passed])).toEqual([["agent_never_said", false]]);
  });
});

describe("runChatJob (a chat VoiceJob)", () => {
  it("publishes the data message to a bot in text_mode and returns the chat as a VoiceResult", async () => {
    const room = "chat-job";
    // No chat option: the bot enters chat mode because its token's metadata says text_mode.
    const bot = await startReferenceVoiceBot({
      url: server.url,
      token: await token(room, "agent", JSON.stringify({ text_mode: true })),
      latencyMs: 600,
      lines: LINES,
    });
    bots.push(bot);
    expect(bot.mode).toBe("chat");
    const events: string[] = [];
    const result = voiceResultSchema.parse(
      await runChatJob(
        {
          run_id: "job-1",
          scenario: { id: "s1", name: "chat job" },
          connection: { mode: "manual", livekit_room_url: server.url, access_token: "unused" },
          caller: { script: [{ say: "Hello?" }, { expect: "/reference bot/", end: true }] },
          max_duration_s: 30,
          chat: true,
          publish_data_message: { customer_id: 42 },
        },
        { url: server.url, token: await token(room, "rubric-test-caller") },
        (e) => events.push(e.type === "stage_finished" ? `${e.stage}:${e.ok}` : e.type),
        new AbortController().signal,
        { limits },
      ),
    );
    expect(result).toMatchObject({
      status: "completed",
      ended_reason: "caller_ended",
      room_name: room,
      recording: null,
      metrics: null,
      artifacts: [],
    });
    expect(result.transcript.map((e) => [e.role, e.content])).toEqual([
      ["user", "Hello?"],
      ["agent", LINES[0]],
    ]);
    expect(bot.dataMessages()).toEqual([{ topic: DATA_MESSAGE_TOPIC, text: '{"customer_id":42}' }]);
    expect(events).toEqual([
      "stage_started",
      "connect:true",
      "stage_started",
      "participant_joined",
      "agent_join:true",
      "stage_started",
      "turn",
      "turn",
      "conversation:true",
    ]);
  });
});
