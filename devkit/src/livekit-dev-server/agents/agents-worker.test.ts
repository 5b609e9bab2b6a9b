import { AgentDispatchClient, RoomServiceClient } from "livekit-server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ApiTestServer, startApiTestServer, TEST_KEY, TEST_SECRET } from "../twirp/test-api-server.ts";
import { startWorkerProcess, type WorkerProcess } from "./fixtures/worker-process.ts";

let server: ApiTestServer;
let worker: WorkerProcess | undefined;

beforeEach(async () => {
  server = await startApiTestServer();
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  await server.close();
});

function startWorker(agentName: string): Promise<WorkerProcess> {
  return startWorkerProcess({
    wsUrl: server.url.replace("http", "ws"),
    apiKey: TEST_KEY,
    apiSecret: TEST_SECRET,
    agentName,
    joinRoom: false,
    registerTimeoutMs: 60_000,
  });
}

describe("a real @livekit/agents worker", () => {
  it("registers under its agent name and runs an explicit dispatch with the dispatch metadata", async () => {
    worker = await startWorker("spar-test-bot");
    expect(server.agents.workers()).toEqual([
      { id: worker.workerId, agentName: "spar-test-bot", available: true },
    ]);
    const dispatch = new AgentDispatchClient(server.url, TEST_KEY, TEST_SECRET);
    const created = await dispatch.createDispatch("explicit-room", "spar-test-bot", {
      metadata: '{"scenario":"refund"}',
    });
    const report = await worker.nextReport(120_000);
    expect(report).toMatchObject({
      dispatchId: created.id,
      agentName: "spar-test-bot",
      room: "explicit-room",
      metadata: '{"scenario":"refund"}',
      url: server.url.replace("http", "ws"),
    });
    const [listed] = await dispatch.listDispatch("explicit-room");
    expect(listed?.state?.jobs[0]?.id).toBe(report.jobId);
    expect(listed?.state?.jobs[0]?.state?.workerId).toBe(worker.workerId);
  }, 240_000);

  it("without an agent name receives automatic dispatch for a new room", async () => {
    worker = await startWorker("");
    await new RoomServiceClient(server.url, TEST_KEY, TEST_SECRET).createRoom({ name: "auto-room" });
    const report = await worker.nextReport(120_000);
    expect(report.room).toBe("auto-room");
    expect(report.dispatchId).toBe("");
  }, 240_000);
});
