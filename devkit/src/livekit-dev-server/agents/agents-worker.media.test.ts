import { ParticipantInfo_Kind } from "@livekit/protocol";
import { AgentDispatchClient, RoomServiceClient } from "livekit-server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MediaDevServer, startMediaDevServer } from "../../netns/media-dev-server.ts";
import { startWorkerProcess, type WorkerProcess } from "./fixtures/worker-process.ts";

let server: MediaDevServer;
let worker: WorkerProcess | undefined;

beforeEach(async () => {
  server = await startMediaDevServer();
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  await server.close();
});

async function waitUntil<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("a real @livekit/agents worker on the full dev server", () => {
  it("receives an explicit dispatch and its job joins the room as an agent participant", async () => {
    worker = await startWorkerProcess({
      wsUrl: server.url,
      apiKey: server.apiKey,
      apiSecret: server.apiSecret,
      agentName: "joining-bot",
      joinRoom: true,
      registerTimeoutMs: 60_000,
    });
    const rooms = new RoomServiceClient(server.httpUrl, server.apiKey, server.apiSecret);
    const dispatch = new AgentDispatchClient(server.httpUrl, server.apiKey, server.apiSecret);
    await dispatch.createDispatch("agent-room", "joining-bot", { metadata: "hello" });
    const report = await worker.nextReport(120_000);
    expect(report).toMatchObject({ room: "agent-room", metadata: "hello", joined: true });
    const agent = await waitUntil(
      async () => (await rooms.listParticipants("agent-room")).find((p) => p.identity === report.identity),
      10_000,
      "the agent to be listed in the room",
    );
    expect(agent.kind).toBe(ParticipantInfo_Kind.AGENT);
    expect(agent.attributes["lk.agent.name"]).toBe("joining-bot");
    await rooms.deleteRoom("agent-room");
    expect(await rooms.listParticipants("agent-room")).toEqual([]);
  }, 240_000);
});
