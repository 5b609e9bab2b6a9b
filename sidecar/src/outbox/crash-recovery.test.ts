import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openOutboxDatabase } from "./database.ts";
import { OutboxStore } from "./outbox-store.ts";
import { type ResultReceiver, startResultReceiver } from "./result-receiver.fixture.ts";

const CHILD = fileURLToPath(new URL("./crash-child.fixture.ts", import.meta.url));

let dir: string;
let receiver: ResultReceiver | undefined;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "spar-outbox-crash-"));
});

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await receiver?.close();
  receiver = undefined;
  await rm(dir, { recursive: true, force: true });
});

function child(mode: string, dbUrl: string, target: string, runId: string) {
  const c = spawn(process.execPath, ["--import", "tsx", CHILD, mode, dbUrl, target, runId], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(c);
  return c;
}

function printed(c: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    c.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (out.includes(`${line}\n`)) resolve();
    });
    c.once("exit", (code, signal) => reject(new Error(`child exited (${code ?? signal}) before "${line}"`)));
  });
}

function killed(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    c.once("exit", () => resolve());
    c.kill("SIGKILL");
  });
}

// Each case starts two tsx processes; on a busy 2-core machine that alone takes seconds.
describe("outbox across a crash", { timeout: 60_000 }, () => {
  it("delivers a result committed by a process killed before it sent anything", async () => {
    receiver = await startResultReceiver();
    const dbUrl = `file:${join(dir, "outbox.db")}`;
    const first = child("commit", dbUrl, receiver.url, "run-a");
    await printed(first, "committed");
    await killed(first);
    expect(receiver.attempts).toEqual([]);

    const restarted = child("deliver", dbUrl, receiver.url, "run-a");
    await printed(restarted, "delivered");
    expect(receiver.attempts).toEqual(["voice-result:run-a"]);
    expect([...receiver.deliveries.keys()]).toEqual(["voice-result:run-a"]);
  });

  it("sends again with the same key after a kill mid-request, and the receiver keeps one", async () => {
    receiver = await startResultReceiver({ hangFirst: true });
    const dbUrl = `file:${join(dir, "outbox.db")}`;
    const arrived = receiver.nextRequest();
    const first = child("commit-and-deliver", dbUrl, receiver.url, "run-b");
    await arrived;
    await killed(first);

    const restarted = child("deliver", dbUrl, receiver.url, "run-b");
    await printed(restarted, "delivered");
    expect(receiver.attempts).toEqual(["voice-result:run-b", "voice-result:run-b"]);
    expect([...receiver.deliveries.values()]).toEqual([
      { key: "voice-result:run-b", payload: '{"run_id":"run-b"}', files: {} },
    ]);
    const { db, close } = await openOutboxDatabase(dbUrl);
    expect(await new OutboxStore(db).deliveryState("voice-result:run-b")).toEqual({
      status: "delivered",
      attempts: 1,
      lastError: null,
    });
    close();
  });
});
