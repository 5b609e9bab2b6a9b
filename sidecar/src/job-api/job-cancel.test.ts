import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { type VoiceJob, voiceJobStatusSchema, voiceResultSchema } from "@spar/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OpenedOutboxDatabase, openOutboxDatabase } from "../outbox/database.ts";
import { OutboxDeliverer } from "../outbox/deliverer.ts";
import { HttpDeliverySender } from "../outbox/http-delivery-sender.ts";
import { OutboxStore } from "../outbox/outbox-store.ts";
import { type ResultReceiver, startResultReceiver } from "../outbox/result-receiver.fixture.ts";
import { noopTelemetry } from "../telemetry/noop-telemetry.ts";
import { createJobApi } from "./app.ts";
import { JobService } from "./job-service.ts";
import { resultFor, ScriptedRunner } from "./scripted-runner.fixture.ts";

const TOKEN = "s3cret-token-for-cancel-tests";

let dir: string;
let opened: OpenedOutboxDatabase;
let runner: ScriptedRunner;
let service: JobService;
let deliverer: OutboxDeliverer;
let receiver: ResultReceiver;
let base: string;
let closeServer: () => Promise<void>;
const logs: string[] = [];

async function startApi(abortGraceMs: number) {
  const store = new OutboxStore(opened.db);
  deliverer = new OutboxDeliverer({
    store,
    sender: new HttpDeliverySender({ requestTimeoutMs: 5_000 }),
    clock: { now: () => Date.now() },
    random: () => 0.5,
    backoff: { baseMs: 50, maxMs: 200, maxAttempts: 5 },
    pollIntervalMs: 100,
  });
  deliverer.start();
  const log = (event: string, fields: Record<string, string | number>) =>
    logs.push(`${event} ${JSON.stringify(fields)}`);
  service = new JobService({
    runner,
    store,
    deliverer,
    telemetry: noopTelemetry,
    now: () => Date.now(),
    maxConcurrentJobs: 2,
    defaultResultUrl: receiver.url,
    graceMs: 30_000,
    abortGraceMs,
    log,
  });
  const app = createJobApi({ service, token: TOKEN, retryAfterS: 1, heartbeatMs: 15_000, log });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("not on TCP");
  base = `http://127.0.0.1:${address.port}`;
  closeServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ("closeAllConnections" in server) server.closeAllConnections();
    });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "spar-job-cancel-"));
  opened = await openOutboxDatabase(`file:${join(dir, "outbox.db")}`);
  runner = new ScriptedRunner();
  receiver = await startResultReceiver();
  logs.length = 0;
});

afterEach(async () => {
  for (const call of runner.calls) call.fail(new Error("test over"));
  await service.drain();
  await deliverer.stop();
  await closeServer();
  await receiver.close();
  opened.close();
  await rm(dir, { recursive: true, force: true });
});

const job: VoiceJob = {
  run_id: "run-7",
  scenario: { id: "scn-1", name: "Book a table" },
  connection: { mode: "manual", livekit_room_url: "wss://lk.example", access_token: "jwt" },
  caller: { script: ["hi"] },
  max_duration_s: 120,
};
const firstTurn = { role: "user", content: "hi, a table for two", start_ms: 400, end_ms: 1_900 } as const;

function request(method: string, path: string, token = TOKEN) {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}` } };
  if (method === "POST") {
    init.headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    init.body = JSON.stringify(job);
  }
  return fetch(`${base}${path}`, init);
}

async function delivered(): Promise<unknown> {
  for (let i = 0; i < 200 && !receiver.deliveries.has("voice-result:run-7"); i++)
    await new Promise((r) => setTimeout(r, 10));
  return JSON.parse(receiver.deliveries.get("voice-result:run-7")?.payload ?? "null");
}

describe("cancelling a job", () => {
  it("aborts the call's signal, and the interrupted result it ends with is delivered through the outbox", async () => {
    await startApi(10_000);
    expect((await request("POST", "/v1/jobs")).status).toBe(201);
    const call = await runner.call("run-7");
    call.emit({ type: "turn", turn_index: 1, ...firstTurn });
    // The runner ends the call with what it has as soon as its signal aborts.
    call.signal.addEventListener("abort", () =>
      call.finish(
        resultFor(call.job, {
          status: "interrupted",
          ended_reason: "interrupted",
          error_message: `the call was interrupted (${String(call.signal.reason)})`,
          transcript: [firstTurn],
          duration_ms: 2_000,
        }),
      ),
    );

    const cancelled = await request("DELETE", "/v1/jobs/run-7");
    expect(cancelled.status).toBe(202);
    expect(voiceJobStatusSchema.parse(await cancelled.json()).run_id).toBe("run-7");
    expect(call.signal.reason).toBe("cancelled by the gateway");

    const result = voiceResultSchema.parse(await delivered());
    expect(result).toMatchObject({
      run_id: "run-7",
      status: "interrupted",
      ended_reason: "interrupted",
      error_message: "the call was interrupted (cancelled by the gateway)",
      transcript: [firstTurn],
    });
    // A repeat answers the ended job and changes nothing.
    const again = await request("DELETE", "/v1/jobs/run-7");
    expect(again.status).toBe(200);
    expect(voiceJobStatusSchema.parse(await again.json())).toMatchObject({
      status: "interrupted",
      result: { error_message: "the call was interrupted (cancelled by the gateway)" },
    });
    expect(receiver.attempts).toEqual(["voice-result:run-7"]);
    expect(logs.filter((l) => l.startsWith("job_cancelled"))).toHaveLength(1);
  });

  it("ends the job interrupted with the turns so far when its runner ignores the signal", async () => {
    await startApi(50);
    await request("POST", "/v1/jobs");
    const call = await runner.call("run-7");
    call.emit({ type: "turn", turn_index: 1, ...firstTurn });
    const startedAt = performance.now();
    expect((await request("DELETE", "/v1/jobs/run-7")).status).toBe(202);
    await service.drain();
    // The abort grace (50 ms), not the call's deadline (120 s + 30 s), ended it.
    expect(performance.now() - startedAt).toBeLessThan(5_000);
    const result = voiceResultSchema.parse(await delivered());
    expect(result).toMatchObject({
      status: "interrupted",
      ended_reason: "interrupted",
      error_message:
        "the call was interrupted (cancelled by the gateway) and its runner did not stop in time",
      transcript: [firstTurn],
      recording: null,
    });
  });

  it("answers 404 for a job it does not know and 401 without the token", async () => {
    await startApi(10_000);
    const unknown = await request("DELETE", "/v1/jobs/run-404");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "not_found", message: "no such job" } });
    expect((await request("DELETE", "/v1/jobs/run-404", "a-wrong-token-of-length")).status).toBe(401);
  });
});
