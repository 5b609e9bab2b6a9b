/**
 * The runner's room-entry stage without media: a failed entry is the run's result with that
 * reason, and a room the platform created is deleted when the call ends, however it ends. The
 * connector is a hand-written fake of the CallRoomConnector port that refuses every connect.
 */
import { type LiveKitDevServer, startLiveKitDevServer } from "@spar/devkit/livekit-dev-server";
import { type VoiceJob, type VoiceRunEventBody, voiceResultSchema } from "@spar/protocol";
import { RoomServiceClient } from "livekit-server-sdk";
import { afterEach, describe, expect, it } from "vitest";
import type { CallRoomConnector } from "../room/call-room.ts";
import {
  json,
  type LoopbackEndpoint,
  startLoopbackEndpoint,
} from "../room-entry/loopback-endpoint.fixture.ts";
import { LiveKitVoiceCallRunner } from "./livekit-voice-call-runner.ts";

const refusingConnector: CallRoomConnector = {
  connect: () => Promise.reject(new Error("no route to the test room")),
};

let endpoint: LoopbackEndpoint | undefined;
let lk: LiveKitDevServer | undefined;
afterEach(async () => {
  await endpoint?.close();
  await lk?.close();
  endpoint = undefined;
  lk = undefined;
});

function job(connection: VoiceJob["connection"]): VoiceJob {
  return {
    run_id: "run-77",
    scenario: { id: "scn", name: "Scenario" },
    agent_id: "agent-1",
    connection,
    caller: { script: [{ say: "Hello." }] },
    max_duration_s: 30,
  };
}

async function run(j: VoiceJob, signal = new AbortController().signal) {
  const events: VoiceRunEventBody[] = [];
  const runner = new LiveKitVoiceCallRunner({
    recordingsDir: "/nonexistent-never-written",
    stt: "none",
    connector: refusingConnector,
    roomEntry: { limits: { endpointMs: 2_000, roomCreateMs: 2_000 }, randomHex: () => "deadbeef" },
  });
  const result = voiceResultSchema.parse(await runner.run(j, (e) => events.push(e), signal));
  return { result, events };
}

describe("LiveKitVoiceCallRunner room entry", () => {
  it("ends the run with the room-entry failure's reason and message, and reports the failed stage", async () => {
    endpoint = await startLoopbackEndpoint(json({ error: "overloaded" }, 503));
    const { result, events } = await run(job({ mode: "client", bot_runner_url: `${endpoint.url}/start` }));
    expect(result).toMatchObject({
      status: "failed",
      ended_reason: "bot_runner_error",
      error_message: `the bot runner ${endpoint.url}/start answered HTTP 503: {"error":"overloaded"}`,
      transcript: [],
      recording: null,
      metrics: null,
    });
    expect(events).toEqual([
      { type: "stage_started", stage: "room_entry" },
      { type: "stage_finished", stage: "room_entry", ok: false, reason: "bot_runner_error" },
    ]);
    expect(endpoint.requests[0]?.body).toEqual({
      rubric_run_id: "run-77",
      metadata: { scenario_id: "scn", scenario_name: "Scenario", agent_id: "agent-1" },
    });
  });

  it("sends the gateway's decimal ids to a bot runner as the integers they are", async () => {
    endpoint = await startLoopbackEndpoint(json({ error: "overloaded" }, 503));
    await run({
      ...job({ mode: "client", bot_runner_url: `${endpoint.url}/start` }),
      run_id: "981",
      scenario: { id: "12", name: "Pay a bill" },
      agent_id: "7",
    });
    expect(endpoint.requests[0]?.body).toEqual({
      rubric_run_id: "981",
      metadata: { scenario_id: 12, scenario_name: "Pay a bill", agent_id: 7 },
    });
  });

  it("deletes the room it created when the call then fails to connect", async () => {
    const key = "k";
    const secret = "runner-secret-that-is-long-enough-0123456789";
    lk = await startLiveKitDevServer({ keys: new Map([[key, secret]]) });
    const { result, events } = await run(
      job({ mode: "rubric_dispatch", agent_name: "", livekit_url: lk.url, api_key: key, api_secret: secret }),
    );
    expect(result).toMatchObject({
      status: "failed",
      ended_reason: "connection_failed",
      room_name: "rubric-run-77-deadbeef",
    });
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(events.slice(0, 4)).toEqual([
      { type: "stage_started", stage: "room_entry" },
      { type: "stage_finished", stage: "room_entry", ok: true },
      { type: "stage_started", stage: "connect" },
      { type: "stage_finished", stage: "connect", ok: false, reason: "connection_failed" },
    ]);
    expect(await new RoomServiceClient(lk.httpUrl, key, secret).listRooms()).toEqual([]);
  });

  it("ends the run interrupted at once when it is stopped while the bot runner has not answered", async () => {
    endpoint = await startLoopbackEndpoint(() => new Promise<void>(() => undefined));
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 200);
    const started = performance.now();
    const { result, events } = await run(
      job({ mode: "client", bot_runner_url: `${endpoint.url}/start` }),
      stop.signal,
    );
    // The endpoint limit is 2 s: ending well before it shows the request was abandoned.
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(result).toMatchObject({
      status: "interrupted",
      ended_reason: "interrupted",
      error_message: `the bot runner ${endpoint.url}/start was not awaited: the run was stopped`,
    });
    expect(events.at(-1)).toEqual({
      type: "stage_finished",
      stage: "room_entry",
      ok: false,
      reason: "interrupted",
    });
  });
});
