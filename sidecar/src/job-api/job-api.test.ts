import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { type VoiceJob, type VoiceRunEvent, voiceJobStatusSchema, voiceRunEventSchema } from "@spar/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type OpenedOutboxDatabase, openOutboxDatabase } from "../outbox/database.ts";
import { OutboxDeliverer } from "../outbox/deliverer.ts";
import { sha256File } from "../outbox/file-digest.ts";
import { HttpDeliverySender } from "../outbox/http-delivery-sender.ts";
import { OutboxStore } from "../outbox/outbox-store.ts";
import { type ResultReceiver, startResultReceiver } from "../outbox/result-receiver.fixture.ts";
import { noopTelemetry } from "../telemetry/noop-telemetry.ts";
import { createJobApi } from "./app.ts";
import { JobService } from "./job-service.ts";
import { resultFor, ScriptedRunner } from "./scripted-runner.fixture.ts";

const TOKEN = "s3cret-token-for-tests";
const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), request_id: z.string() }),
});

let dir: string;
let opened: OpenedOutboxDatabase;
let runner: ScriptedRunner;
let service: JobService;
let deliverer: OutboxDeliverer;
let base: string;
let closeServer: () => Promise<void>;
let receiver: ResultReceiver | undefined;
const logs: string[] = [];

async function startApi(opts: { maxConcurrentJobs?: number; graceMs?: number } = {}) {
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
    maxConcurrentJobs: opts.maxConcurrentJobs ?? 2,
    defaultResultUrl: null,
    graceMs: opts.graceMs ?? 30_000,
    log,
  });
  const app = createJobApi({ service, token: TOKEN, retryAfterS: 7, heartbeatMs: 15_000, log });
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
  dir = await mkdtemp(join(tmpdir(), "spar-job-api-"));
  opened = await openOutboxDatabase(`file:${join(dir, "outbox.db")}`);
  runner = new ScriptedRunner();
  logs.length = 0;
});

afterEach(async () => {
  for (const call of runner.calls) call.fail(new Error("test over"));
  await service.drain();
  await deliverer.stop();
  await closeServer();
  await receiver?.close();
  receiver = undefined;
  opened.close();
  await rm(dir, { recursive: true, force: true });
});

function job(runId: string, extra: Partial<VoiceJob> = {}): VoiceJob {
  return {
    run_id: runId,
    scenario: { id: "scn-1", name: "Book a table" },
    connection: { mode: "manual", livekit_room_url: "wss://lk.example", access_token: "jwt" },
    caller: { script: ["hi"] },
    max_duration_s: 120,
    ...extra,
  };
}

function post(body: unknown, token: string | null = TOKEN) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return fetch(`${base}/v1/jobs`, { method: "POST", headers, body: JSON.stringify(body) });
}

function get(path: string, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}`, ...headers } });
}

async function errorOf(res: Response) {
  return errorSchema.parse(await res.json()).error;
}

/** Reads a whole SSE stream (it ends after job_finished) into decoded events. */
async function readEvents(
  res: Response,
): Promise<{ ids: string[]; names: string[]; events: VoiceRunEvent[] }> {
  const text = await res.text();
  const out = { ids: [] as string[], names: [] as string[], events: [] as VoiceRunEvent[] };
  for (const block of text.split("\n\n")) {
    const fields = Object.fromEntries(
      block
        .split("\n")
        .filter((l) => /^(id|event|data):/.test(l))
        .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
    );
    if (fields.data === undefined) continue;
    out.ids.push(fields.id ?? "");
    out.names.push(fields.event ?? "");
    out.events.push(voiceRunEventSchema.parse(JSON.parse(fields.data)));
  }
  return out;
}

describe("job API", () => {
  it("answers health checks without a token", async () => {
    await startApi();
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, active_jobs: 0 });
  });

  it("rejects a missing or wrong bearer token with the error shape", async () => {
    await startApi();
    for (const token of [null, "wrong", `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const res = await post(job("run-1"), token);
      expect(res.status).toBe(401);
      const error = await errorOf(res);
      expect(error).toMatchObject({ code: "unauthorized", message: "missing or wrong bearer token" });
      expect(error.request_id).toBe(res.headers.get("x-request-id"));
    }
    expect((await get("/v1/jobs/run-1", { authorization: "Basic abc" })).status).toBe(401);
    expect(runner.calls).toHaveLength(0);
  });

  it("names the invalid field, refuses non-JSON and oversized bodies", async () => {
    await startApi();
    const bad = await post({ ...job("run-1"), max_duration_s: 0 });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toMatch(/^max_duration_s: /);
    const mode = await post({ ...job("run-1"), connection: { mode: "carrier_pigeon" } });
    expect((await errorOf(mode)).message).toMatch(/^connection\.mode: /);
    const notJson = await fetch(`${base}/v1/jobs`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: "{nope",
    });
    expect(await errorOf(notJson)).toMatchObject({ code: "bad_request", message: "the body is not JSON" });
    const huge = await post({ ...job("run-1"), caller: { filler: "x".repeat(300_000) } });
    expect(huge.status).toBe(413);
    expect((await errorOf(huge)).code).toBe("payload_too_large");
    expect(runner.calls).toHaveLength(0);
  });

  it("answers 429 with Retry-After when full, and accepts again once a call ends", async () => {
    await startApi({ maxConcurrentJobs: 1 });
    const first = await post(job("run-1"));
    expect(first.status).toBe(201);
    expect(first.headers.get("location")).toBe("/v1/jobs/run-1");
    expect(voiceJobStatusSchema.parse(await first.json())).toMatchObject({
      run_id: "run-1",
      status: "running",
    });

    const full = await post(job("run-2"));
    expect(full.status).toBe(429);
    expect(full.headers.get("retry-after")).toBe("7");
    expect((await errorOf(full)).code).toBe("rate_limited");

    const call = await runner.call("run-1");
    call.finish(resultFor(call.job));
    await service.drain();
    expect((await post(job("run-2"))).status).toBe(201);
  });

  it("treats a resubmitted run as the same job", async () => {
    await startApi();
    expect((await post(job("run-1"))).status).toBe(201);
    const again = await post(job("run-1"));
    expect(again.status).toBe(200);
    expect(runner.calls).toHaveLength(1);
    const call = await runner.call("run-1");
    call.finish(resultFor(call.job));
    await service.drain();
    const afterEnd = await post(job("run-1"));
    expect(voiceJobStatusSchema.parse(await afterEnd.json())).toMatchObject({ status: "completed" });
    expect(runner.calls).toHaveLength(1);
  });

  it("streams run events as SSE until the job finishes, and replays after Last-Event-ID", async () => {
    await startApi();
    await post(job("run-1"));
    const call = await runner.call("run-1");
    call.emit({ type: "stage_started", stage: "connect" });
    const stream = get("/v1/jobs/run-1/events");
    call.emit({ type: "stage_finished", stage: "connect", ok: true });
    call.emit({ type: "turn", turn_index: 1, role: "user", content: "hi", start_ms: 1_000, end_ms: 1_800 });
    call.emit({ type: "interruption", by: "ai", at_ms: 5_000, duration_ms: 300 });
    setTimeout(() => call.finish(resultFor(call.job)), 50);

    const res = await stream;
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const { ids, names, events } = await readEvents(res);
    expect(ids).toEqual(["1", "2", "3", "4", "5"]);
    expect(names).toEqual(["stage_started", "stage_finished", "turn", "interruption", "job_finished"]);
    expect(events.every((e) => e.run_id === "run-1")).toBe(true);
    expect(events.at(-1)).toMatchObject({
      type: "job_finished",
      status: "completed",
      ended_reason: "agent_ended",
    });

    const replay = await readEvents(await get("/v1/jobs/run-1/events", { "last-event-id": "3" }));
    expect(replay.ids).toEqual(["4", "5"]);
    expect((await get("/v1/jobs/nope/events")).status).toBe(404);
  });

  it("commits the result and delivers it with its recording through the outbox", async () => {
    receiver = await startResultReceiver({ failFirst: 1 });
    await startApi();
    const wav = join(dir, "stereo.wav");
    await writeFile(wav, Buffer.alloc(4_096, 7));
    const sha256 = await sha256File(wav);
    await post(job("run-1", { result_url: receiver.url }));
    const call = await runner.call("run-1");
    const artifacts = [
      { part: "recording_stereo", path: wav, content_type: "audio/wav", bytes: 4_096, sha256 },
    ];
    call.finish(resultFor(call.job, { artifacts }));
    await service.drain();

    for (let i = 0; i < 100 && receiver.deliveries.size === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(receiver.attempts).toEqual(["voice-result:run-1", "voice-result:run-1"]);
    const delivered = receiver.deliveries.get("voice-result:run-1");
    expect(delivered?.files).toEqual({ recording_stereo: sha256 });
    expect(JSON.parse(delivered?.payload ?? "{}")).toMatchObject({ run_id: "run-1", artifacts });

    const status = voiceJobStatusSchema.parse(await (await get("/v1/jobs/run-1")).json());
    expect(status).toMatchObject({
      status: "completed",
      delivery: "delivered",
      result: { duration_ms: 65_000 },
    });
  });

  it("turns a runner that throws or returns garbage into a failed result, never a lost one", async () => {
    await startApi();
    await post(job("run-1"));
    await post(job("run-2"));
    (await runner.call("run-1")).fail(new Error("socket exploded"));
    // A runner bug the type system cannot see: smuggle an invalid value past the types.
    const garbage: unknown = { run_id: "run-2", status: "great" };
    (await runner.call("run-2")).finish(z.custom<never>().parse(garbage));
    await service.drain();
    const one = voiceJobStatusSchema.parse(await (await get("/v1/jobs/run-1")).json());
    expect(one.result).toMatchObject({
      status: "failed",
      ended_reason: "internal_error",
      error_message: "the runner failed unexpectedly",
    });
    const two = voiceJobStatusSchema.parse(await (await get("/v1/jobs/run-2")).json());
    expect(two.result?.error_message).toMatch(/^the runner returned an invalid result/);
    expect(logs.some((l) => l.startsWith("runner_failed") && l.includes("socket exploded"))).toBe(true);
  });

  it("ends a job whose runner overruns its deadline as max_duration and aborts the runner", async () => {
    await startApi({ graceMs: 0 });
    await post(job("run-1", { max_duration_s: 1 }));
    const call = await runner.call("run-1");
    await service.drain();
    expect(call.signal.aborted).toBe(true);
    const status = voiceJobStatusSchema.parse(await (await get("/v1/jobs/run-1")).json());
    expect(status.result).toMatchObject({ status: "failed", ended_reason: "max_duration" });
  });

  it("answers unknown jobs and routes with not_found", async () => {
    await startApi();
    expect(await errorOf(await get("/v1/jobs/nope"))).toMatchObject({ code: "not_found" });
    expect(await errorOf(await get("/v1/nothing-here"))).toMatchObject({ code: "not_found" });
  });
});
