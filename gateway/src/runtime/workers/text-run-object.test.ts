/**
 * The run's Durable Object in real workerd (wrangler dev, offline) against the real reference
 * agent: its timeouts are alarms, and a run whose object lost its socket does not stay running.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWorkersDev, startWorkersDev } from "../node/workers-dev.ts";
import { RUN_NEVER_STARTED, RUN_OBJECT_LOST } from "./run-object-lost.ts";

const SECRET = "durable-run-agent-secret-41c2";

describe("a text run's Durable Object in workerd", () => {
  let dir: string;
  let agent: ReferenceTextAgent;
  let gw: RunningWorkersDev;
  let key: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "spar-durable-run-"));
    agent = await startReferenceTextAgent({ port: 0, secret: SECRET });
    gw = await startWorkersDev({ port: 0, host: "127.0.0.1", dataDir: dir, env: {} });
    key = gw.firstStartKey ?? "";
  });
  afterAll(async () => {
    await gw.close();
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${gw.url}${path}`, {
      method,
      headers: { "X-API-Key": key, "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: reads the API's JSON answers
    return { status: res.status, body: (await res.json()) as any };
  }

  /** Starts one run of `hello?` against the silent agent; answers the run's id once it is running. */
  async function silentRun(perTurnTimeoutS: number): Promise<number> {
    const silent = await call("POST", "/v1/agents", {
      name: "silent",
      text: { url: `${agent.url}/echo?behavior=silent`, secret: SECRET, per_turn_timeout_s: perTurnTimeoutS },
    });
    const scenario = await call("POST", "/v1/scenarios", { script: [{ say: "hello?" }, { expect: "/./" }] });
    const started = await call("POST", "/v1/test-runs", {
      agent_id: silent.body.id,
      scenario_ids: [scenario.body.id],
    });
    expect(started.status).toBe(201);
    const runs = await until(
      () => call("GET", `/v1/runs?test_run_id=${started.body.test_run_id}`),
      (res) => res.body.data[0]?.status === "running",
    );
    return runs.body.data[0].id;
  }

  it("ends a run whose agent never answers as agent_timeout, by the object's alarm", async () => {
    const runId = await silentRun(0.5);
    const run = await until(
      () => call("GET", `/v1/runs/${runId}`),
      (res) => res.body.status !== "running",
    );
    expect(run.body).toMatchObject({
      status: "failed",
      ended_reason: "agent_timeout",
      error: "the agent did not reply within 0.5 s",
      passed: false,
    });
    expect(run.body.transcript).toEqual([expect.objectContaining({ role: "user", content: "hello?" })]);
  });

  /** Reads the run's event stream until its first transcript event: what was said is stored. */
  async function storedTranscript(runId: number): Promise<void> {
    const abort = new AbortController();
    const res = await fetch(`${gw.url}/v1/runs/${runId}/events`, {
      headers: { "X-API-Key": key },
      signal: abort.signal,
    });
    const reader = res.body?.getReader();
    let text = "";
    while (!text.includes("event: transcript")) {
      const chunk = await reader?.read();
      if (chunk === undefined || chunk.done)
        throw new Error(`the stream ended without a transcript event: ${text}`);
      text += new TextDecoder().decode(chunk.value);
    }
    abort.abort();
  }

  it("ends a run whose object lost its socket (workerd restarted) at the sweep, keeping what was said", async () => {
    const runId = await silentRun(600);
    await storedTranscript(runId);
    const port = Number(new URL(gw.url).port);
    await gw.close();
    gw = await startWorkersDev({ port, host: "127.0.0.1", dataDir: dir, env: {} });
    const run = (await call("GET", `/v1/runs/${runId}`)).body;
    expect(run).toMatchObject({
      status: "failed",
      ended_reason: "internal_error",
      error: RUN_OBJECT_LOST,
      passed: false,
    });
    expect(run.transcript).toEqual([expect.objectContaining({ role: "user", content: "hello?" })]);
  });

  it("ends a run left queued by a Worker that stopped while submitting it, at the next start's sweep", async () => {
    const finished = await silentRun(1);
    await until(
      () => call("GET", `/v1/runs/${finished}`),
      (res) => res.body.status === "failed",
    );
    const port = Number(new URL(gw.url).port);
    await gw.close();
    // What an isolate dying between creating a run and reaching its object leaves: a queued row
    // no object knows, created long ago (written into wrangler's local D1 file while stopped).
    const d1 = (await readdir(dir, { recursive: true })).filter(
      (f) => f.includes("D1DatabaseObject") && f.endsWith(".sqlite") && !f.endsWith("metadata.sqlite"),
    );
    expect(d1).toHaveLength(1);
    const file = createClient({ url: `file:${join(dir, d1[0] ?? "")}` });
    const columns = (await file.execute("PRAGMA table_info(runs)")).rows
      .map((r) => String(r.name))
      .filter((c) => c !== "id");
    const unset = [
      "started_at_ms",
      "deadline_at_ms",
      "ended_at_ms",
      "ended_reason",
      "ended_by",
      "passed",
      "error",
    ];
    const pick = columns.map((c) =>
      c === "status" ? "'queued'" : c === "created_at_ms" ? "0" : unset.includes(c) ? "NULL" : c,
    );
    const inserted = await file.execute({
      sql: `INSERT INTO runs (${columns.join(", ")}) SELECT ${pick.join(", ")} FROM runs WHERE id = ? RETURNING id`,
      args: [finished],
    });
    file.close();
    const stuck = Number(inserted.rows[0]?.id);
    expect(stuck).toBeGreaterThan(finished);

    gw = await startWorkersDev({ port, host: "127.0.0.1", dataDir: dir, env: {} });
    expect((await call("GET", `/v1/runs/${stuck}`)).body).toMatchObject({
      status: "failed",
      ended_reason: "internal_error",
      error: RUN_NEVER_STARTED,
      passed: false,
    });
  });
});

/** Reads until `done` holds, at most 100 times 100 ms apart; answers the last read. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 1; i < 100 && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}
