import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OpenedOutboxDatabase, openOutboxDatabase } from "./database.ts";
import { OutboxDeliverer } from "./deliverer.ts";
import { sha256File } from "./file-digest.ts";
import { HttpDeliverySender } from "./http-delivery-sender.ts";
import { OutboxStore } from "./outbox-store.ts";
import { type ResultReceiver, startResultReceiver } from "./result-receiver.fixture.ts";

let dir: string;
let opened: OpenedOutboxDatabase;
let store: OutboxStore;
let receiver: ResultReceiver | undefined;
let nowMs = 1_000;
const clock = { now: () => nowMs };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "spar-outbox-"));
  opened = await openOutboxDatabase(`file:${join(dir, "outbox.db")}`);
  store = new OutboxStore(opened.db);
  nowMs = 1_000;
});

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  opened.close();
  await rm(dir, { recursive: true, force: true });
});

function deliverer(maxAttempts = 5) {
  return new OutboxDeliverer({
    store,
    sender: new HttpDeliverySender({ requestTimeoutMs: 5_000 }),
    clock,
    random: () => 0.5,
    backoff: { baseMs: 1_000, maxMs: 60_000, maxAttempts },
    pollIntervalMs: 50,
  });
}

async function commit(runId: string, targetUrl: string, wavPath?: string) {
  const attachments =
    wavPath === undefined
      ? []
      : [
          {
            part: "recording_stereo",
            path: wavPath,
            contentType: "audio/wav",
            sha256: await sha256File(wavPath),
          },
        ];
  const payloadJson = JSON.stringify({ run_id: runId });
  await store.commitResult(
    runId,
    payloadJson,
    { idempotencyKey: `voice-result:${runId}`, targetUrl, payloadJson, attachments },
    nowMs,
  );
}

describe("OutboxDeliverer", () => {
  it("retries a failing receiver with backoff and delivers once with the recording", async () => {
    receiver = await startResultReceiver({ failFirst: 2 });
    const wav = join(dir, "stereo.wav");
    await writeFile(wav, Buffer.from("RIFF....WAVEfmt not really audio but bytes"));
    await commit("run-1", receiver.url, wav);
    const d = deliverer();

    expect(await d.runOnce()).toBe(1);
    // First retry: ceiling 1000 ms, equal jitter with random 0.5 → 750 ms.
    expect(await store.due(1_749, 10)).toEqual([]);
    expect((await store.deliveryState("voice-result:run-1"))?.attempts).toBe(1);
    nowMs = 1_750;
    expect(await d.runOnce()).toBe(1);
    // Second retry: ceiling 2000 ms → 1500 ms later.
    expect(await store.nextDueAtMs()).toBe(3_250);
    nowMs = 3_250;
    expect(await d.runOnce()).toBe(1);

    expect(receiver.attempts).toEqual(["voice-result:run-1", "voice-result:run-1", "voice-result:run-1"]);
    expect([...receiver.deliveries.keys()]).toEqual(["voice-result:run-1"]);
    expect(receiver.deliveries.get("voice-result:run-1")).toEqual({
      key: "voice-result:run-1",
      payload: '{"run_id":"run-1"}',
      files: { recording_stereo: await sha256File(wav) },
    });
    expect(await store.deliveryState("voice-result:run-1")).toEqual({
      status: "delivered",
      attempts: 3,
      lastError: null,
    });
    nowMs = 100_000;
    expect(await d.runOnce()).toBe(0);
  });

  it("dead-letters a delivery after the maximum number of attempts", async () => {
    receiver = await startResultReceiver({ failFirst: 10 });
    await commit("run-2", receiver.url);
    const d = deliverer(2);
    await d.runOnce();
    nowMs += 60_000;
    await d.runOnce();
    nowMs += 600_000;
    expect(await d.runOnce()).toBe(0);
    expect(await store.deliveryState("voice-result:run-2")).toEqual({
      status: "dead",
      attempts: 2,
      lastError: "HTTP 503: try later",
    });
    expect(receiver.attempts).toHaveLength(2);
  });

  it("dead-letters at once when the receiver rejects the request as wrong", async () => {
    receiver = await startResultReceiver();
    await commit("run-3", receiver.url.replace("/results", "/nowhere"));
    await deliverer().runOnce();
    expect(await store.deliveryState("voice-result:run-3")).toMatchObject({ status: "dead", attempts: 1 });
  });

  it("refuses to send a recording that changed after the result was written", async () => {
    receiver = await startResultReceiver();
    const wav = join(dir, "agent.wav");
    await writeFile(wav, "original");
    await commit("run-4", receiver.url, wav);
    await writeFile(wav, "tampered");
    await deliverer().runOnce();
    expect(receiver.attempts).toEqual([]);
    expect(await store.deliveryState("voice-result:run-4")).toEqual({
      status: "dead",
      attempts: 1,
      lastError: "attachment recording_stereo changed on disk",
    });
  });

  it("keeps one result and one delivery when a run is committed twice", async () => {
    receiver = await startResultReceiver();
    await commit("run-5", receiver.url);
    await commit("run-5", receiver.url);
    expect(await store.due(nowMs, 10)).toHaveLength(1);
  });

  it("retries a network failure (nothing listening) instead of giving up", async () => {
    await commit("run-6", "http://127.0.0.1:9/results");
    await deliverer().runOnce();
    expect(await store.deliveryState("voice-result:run-6")).toMatchObject({ status: "pending", attempts: 1 });
  });

  it("delivers in the background as soon as it is notified", async () => {
    receiver = await startResultReceiver();
    const d = new OutboxDeliverer({
      store,
      sender: new HttpDeliverySender({ requestTimeoutMs: 5_000 }),
      clock: { now: () => Date.now() },
      random: Math.random,
      backoff: { baseMs: 100, maxMs: 1_000, maxAttempts: 3 },
      pollIntervalMs: 60_000,
    });
    d.start();
    const arrived = receiver.nextRequest();
    nowMs = Date.now();
    await commit("run-7", receiver.url);
    d.notify();
    await arrived;
    await d.stop();
    expect(receiver.attempts).toEqual(["voice-result:run-7"]);
  });
});
