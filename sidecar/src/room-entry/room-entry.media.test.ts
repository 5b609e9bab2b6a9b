/**
 * Every way into a room, end to end through the embedded runner (runVoiceScenario): small
 * loopback endpoints play the user's side of each mode and start the reference voice bot
 * (devkit) in the room they were given; the caller must enter, hear the bot answer and PASS a
 * short scripted scenario. Nobody coming must FAIL `agent_never_joined`. Runs inside the media
 * network namespace against the dev server in its own process; one short call per test.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dispose } from "@livekit/rtc-node";
import { startReferenceVoiceBot } from "@spar/devkit/reference-voice-bot";
import {
  type LivekitChannel,
  parseSuite,
  type RunReport,
  type SuiteInput,
  type VoiceRunEventBody,
} from "@spar/protocol";
import { AccessToken, AgentDispatchClient, RoomServiceClient } from "livekit-server-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DevServerProcess, startDevServerProcess } from "../call/dev-server-process.fixture.ts";
import { runVoiceScenario } from "../call/run-voice-scenario.ts";
import { apiBaseOf } from "./livekit-admin.ts";
import {
  json,
  type LoopbackEndpoint,
  type RecordedRequest,
  startLoopbackEndpoint,
} from "./loopback-endpoint.fixture.ts";

let server: DevServerProcess;
let dir: string;
const open: { close(): Promise<void> }[] = [];
const setupTimes: Record<string, Record<string, number>> = {};

beforeAll(async () => {
  server = await startDevServerProcess();
  dir = await mkdtemp(join(tmpdir(), "spar-room-entry-"));
});
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined);
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
  await dispose();
  console.log(
    `room entry setup times (ms since the room_entry stage started): ${JSON.stringify(setupTimes)}`,
  );
});

async function token(identity: string, room: string): Promise<string> {
  const at = new AccessToken(server.apiKey, server.apiSecret, { identity, ttl: "10m" });
  at.addGrant({ roomJoin: true, room, canPublish: true, canSubscribe: true });
  return at.toJwt();
}

/** Starts the reference bot in the background (as a bot runner would) and closes it after the test. */
function startBot(url: string, botToken: string): void {
  const started = startReferenceVoiceBot({
    url,
    token: botToken,
    latencyMs: 600,
    lines: ["How can I help you today?"],
  });
  open.push({ close: async () => (await started).close() });
}

async function endpoint(answer: (request: RecordedRequest) => Promise<unknown>): Promise<LoopbackEndpoint> {
  const e = await startLoopbackEndpoint(async (request, res) => json(await answer(request))(request, res));
  open.push(e);
  return e;
}

const SCRIPT = [{ say: "Hello there." }, { expect: "/help/i", end: true as const }];

async function runMode(
  mode: string,
  livekit: LivekitChannel,
  options: { runId: string; agentJoinMs?: number; randomHex?: () => string },
): Promise<{ report: RunReport; events: { at: number; event: VoiceRunEventBody }[] }> {
  const parsed = parseSuite({
    version: 1,
    agent: { id: "media-bot", voice: { livekit } },
    defaults: { channel: "voice" },
    scenarios: [
      { id: `via-${mode}`, script: SCRIPT, assertions: [{ agent_said: "/help/i" }, { ended_by: "caller" }] },
    ],
  } satisfies SuiteInput);
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const scenario = parsed.suite.scenarios[0];
  if (!scenario) throw new Error("no scenario");
  const events: { at: number; event: VoiceRunEventBody }[] = [];
  const report = await runVoiceScenario(
    { suite: parsed.suite, scenario, attempt: 1, runId: options.runId, batchId: "media" },
    {
      recordingsDir: dir,
      stt: "none",
      limits: {
        greetingWaitMs: 300,
        turnTimeoutMs: 10_000,
        ...(options.agentJoinMs ? { agentJoinMs: options.agentJoinMs } : {}),
      },
      onEvent: (event) => events.push({ at: performance.now(), event }),
      ...(options.randomHex ? { roomEntry: { randomHex: options.randomHex } } : {}),
    },
  );
  return { report, events };
}

/**
 * From the run's events, ms since the room_entry stage started: room entered, caller connected,
 * caller's first line ended, agent's first audio (turn times count from the call's start, which is
 * when the connect stage starts). The bot only answers after the caller's line, 600 ms late.
 */
function recordSetup(mode: string, events: { at: number; event: VoiceRunEventBody }[]): void {
  const at = (match: (e: VoiceRunEventBody) => boolean) =>
    events.find((e) => match(e.event))?.at ?? Number.NaN;
  const t0 = at((e) => e.type === "stage_started" && e.stage === "room_entry");
  const callStart = at((e) => e.type === "stage_started" && e.stage === "connect");
  const turn = (role: "user" | "agent") =>
    events.map((e) => e.event).find((e) => e.type === "turn" && e.role === role);
  const user = turn("user");
  const agent = turn("agent");
  setupTimes[mode] = {
    roomEnteredMs: Math.round(at((e) => e.type === "stage_finished" && e.stage === "room_entry") - t0),
    callerJoinedMs: Math.round(at((e) => e.type === "stage_finished" && e.stage === "connect") - t0),
    callerLineEndMs: Math.round(callStart - t0 + (user?.type === "turn" ? user.end_ms : Number.NaN)),
    agentFirstAudioMs: Math.round(callStart - t0 + (agent?.type === "turn" ? agent.start_ms : Number.NaN)),
  };
}

function expectPassed(report: RunReport): void {
  expect(report.error).toBeNull();
  expect(report).toMatchObject({ status: "completed", ended_reason: "caller_ended", passed: true });
  expect(report.transcript.map((t) => t.role)).toEqual(["user", "agent"]);
  expect(report.transcript[1]?.content).toMatch(/help/i);
}

describe("room entry for every LiveKit mode (real rtc-node, reference voice bot)", () => {
  it("client: the bot runner creates the room, starts the bot and answers where to join; the run passes", async () => {
    const runner = await endpoint(async (request) => {
      const room = `client-${(request.body as { rubric_run_id: string }).rubric_run_id}`;
      await new RoomServiceClient(apiBaseOf(server.url), server.apiKey, server.apiSecret).createRoom({
        name: room,
      });
      startBot(server.url, await token("their-bot", room));
      return { room_name: room, room_url: server.url, token: await token("rubric-test-caller", room) };
    });
    const { report, events } = await runMode(
      "client",
      { mode: "client", bot_runner_url: `${runner.url}/start` },
      { runId: "m-client" },
    );
    expectPassed(report);
    expect(report.metadata).toMatchObject({ room_name: "client-m-client" });
    expect(runner.requests[0]?.body).toEqual({
      rubric_run_id: "m-client",
      metadata: { scenario_id: "via-client", scenario_name: "via-client", agent_id: "media-bot" },
    });
    recordSetup("client", events);
  });

  it("rubric + endpoint: the session endpoint starts the bot with bot_token in the room we created; the run passes", async () => {
    const session = await endpoint(async (request) => {
      const body = request.body as { room_name: string; bot_token: string; livekit_url: string };
      startBot(body.livekit_url, body.bot_token);
      return { status: "started", room_name: body.room_name };
    });
    const { report, events } = await runMode(
      "rubric_endpoint",
      {
        mode: "rubric",
        url: server.url,
        api_key: server.apiKey,
        api_secret: server.apiSecret,
        web_call_url: session.url,
      },
      { runId: "m-endpoint" },
    );
    expectPassed(report);
    expect(report.metadata.room_name).toMatch(/^rubric-m-endpoint-[0-9a-f]{8}$/);
    // The room we created is gone once the call is over.
    const rooms = new RoomServiceClient(apiBaseOf(server.url), server.apiKey, server.apiSecret);
    expect((await rooms.listRooms()).map((r) => r.name)).not.toContain(report.metadata.room_name);
    recordSetup("rubric_endpoint", events);
  });

  it("rubric + dispatch: an agent that joins when its dispatch appears answers; the run passes", async () => {
    const room = "rubric-m-dispatch-00c0ffee";
    const dispatches = new AgentDispatchClient(apiBaseOf(server.url), server.apiKey, server.apiSecret);
    let stop = false;
    const watcher = (async () => {
      while (!stop) {
        const found = await dispatches.listDispatch(room).catch(() => []);
        const mine = found.find((d) => d.agentName === "support-bot");
        if (mine) {
          expect(JSON.parse(mine.metadata)).toEqual({ rubric_run_id: "m-dispatch" });
          startBot(server.url, await token("support-bot-agent", room));
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    open.push({
      close: async () => {
        stop = true;
        await watcher;
      },
    });
    const { report, events } = await runMode(
      "rubric_dispatch",
      {
        mode: "rubric",
        url: server.url,
        api_key: server.apiKey,
        api_secret: server.apiSecret,
        agent_name: "support-bot",
      },
      { runId: "m-dispatch", randomHex: () => "00c0ffee" },
    );
    expectPassed(report);
    expect(report.metadata.room_name).toBe(room);
    recordSetup("rubric_dispatch", events);
  });

  it("token_endpoint: the endpoint mints the caller's token for our room and starts the bot; the run passes", async () => {
    const tokens = await endpoint(async (request) => {
      const body = request.body as { room_name: string; participant_name: string };
      startBot(server.url, await token("coval-agent", body.room_name));
      return { participantToken: await token(body.participant_name, body.room_name), serverUrl: server.url };
    });
    const { report, events } = await runMode(
      "token_endpoint",
      { mode: "token_endpoint", generate_token_endpoint: `${tokens.url}/token` },
      { runId: "m-token" },
    );
    expectPassed(report);
    expect(tokens.requests[0]?.body).toMatchObject({ participant_name: "simulated_user" });
    recordSetup("token_endpoint", events);
  });

  it("fails agent_never_joined when nobody answers the dispatch", async () => {
    const { report } = await runMode(
      "nobody",
      {
        mode: "rubric",
        url: server.url,
        api_key: server.apiKey,
        api_secret: server.apiSecret,
        agent_name: "absent-bot",
      },
      { runId: "m-nobody", agentJoinMs: 2_000 },
    );
    expect(report).toMatchObject({ status: "failed", ended_reason: "agent_never_joined", passed: false });
    expect(report.error).toBe("no agent joined the room within 2 s");
  });
});
