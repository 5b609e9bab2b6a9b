import { fileURLToPath } from "node:url";
import { ParticipantInfo_Kind } from "@livekit/protocol";
import { dispose } from "@livekit/rtc-node";
import { FliteWasiTextToSpeech } from "@spar/sidecar";
import { AgentDispatchClient, RoomServiceClient } from "livekit-server-sdk";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MediaDevServer, startMediaDevServer } from "../netns/media-dev-server.ts";
import { TestCaller } from "../reference-voice-bot/testing/test-caller.ts";
import { prepareLines, type VoiceLine } from "../reference-voice-bot/voice-lines.ts";
import { type RunnerProcess, startRunnerProcess } from "./fixtures/runner-process.ts";
import { mintJoinToken } from "./livekit-tokens.ts";

/**
 * The registered-worker variant, started with the `reference-bot-runner` command: a real
 * agents-js worker whose job runs the reference bot, reached by explicit and by automatic dispatch.
 */
const AGENT_FILE = fileURLToPath(new URL("./fixtures/run-id-agent.ts", import.meta.url));
let server: MediaDevServer;
let runner: RunnerProcess | undefined;
let rooms: RoomServiceClient;
let callerLine: VoiceLine;

beforeAll(async () => {
  [callerLine] = (await prepareLines(new FliteWasiTextToSpeech("rms"), [
    "Hello, I would like to check on my order.",
  ])) as [VoiceLine];
});
afterAll(async () => {
  await dispose();
});
beforeEach(async () => {
  server = await startMediaDevServer();
  rooms = new RoomServiceClient(server.httpUrl, server.apiKey, server.apiSecret);
});
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
  await server.close();
});

function startRunner(worker: string[]): Promise<RunnerProcess> {
  const args = ["--livekit-url", server.url, "--api-key", server.apiKey, "--api-secret", server.apiSecret];
  return startRunnerProcess([...args, "--port", "0", ...worker, "--agent-file", AGENT_FILE], 90_000);
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; runner output:\n${runner?.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The job's bot joins as an agent; a caller speaks and returns what the bot said back. */
async function callTheAgent(room: string): Promise<{ said: string; gapMs: number }> {
  const agent = await waitFor(
    async () => (await rooms.listParticipants(room)).find((p) => p.kind === ParticipantInfo_Kind.AGENT),
    "the job's bot to join",
    90_000,
  );
  const token = await mintJoinToken({
    apiKey: server.apiKey,
    apiSecret: server.apiSecret,
    identity: "rubric-test-caller",
    room,
  });
  const caller = await TestCaller.join(server.url, token, agent.identity);
  try {
    await new Promise((r) => setTimeout(r, 1500));
    const sent = await caller.say(callerLine.samples);
    const heard = await caller.heardAbove(300, sent.endMs);
    await waitFor(async () => caller.transcriptions[0], "the bot's transcription", 15_000);
    return { said: caller.transcriptions[0]?.text ?? "", gapMs: heard - sent.endMs };
  } finally {
    await caller.close();
  }
}

async function botLeft(room: string): Promise<void> {
  await waitFor(
    async () => ((await rooms.listParticipants(room)).length === 0 ? true : undefined),
    "the job's bot to leave after the caller",
    20_000,
  );
}

describe("the reference bot as a registered @livekit/agents worker", () => {
  it("answers in the room of an explicit dispatch, with the dispatch's run id and mode in its options", async () => {
    runner = await startRunner(["--agent-name", "rubric-bot"]);
    await new AgentDispatchClient(server.httpUrl, server.apiKey, server.apiSecret).createDispatch(
      "rubric-179-ab12cd34",
      "rubric-bot",
      { metadata: '{"rubric_run_id": 179, "text_mode": true}' },
    );
    const { said, gapMs } = await callTheAgent("rubric-179-ab12cd34");
    // The fixture's hook puts the dispatch's run id and text_mode into what the bot says.
    expect(said).toBe("Run 179 by text.");
    expect(gapMs).toBeGreaterThan(500);
    expect(gapMs).toBeLessThan(2000);
    await botLeft("rubric-179-ab12cd34");
  }, 240_000);

  it("answers in a new room by automatic dispatch", async () => {
    runner = await startRunner(["--auto-dispatch"]);
    await rooms.createRoom({ name: "auto-room" });
    const { said } = await callTheAgent("auto-room");
    expect(said).toBe("Run none by voice.");
    await botLeft("auto-room");
  }, 240_000);
});
