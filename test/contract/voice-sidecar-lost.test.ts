/**
 * A sidecar that vanishes mid-call (a real child process, SIGKILLed) leaves no result: the
 * gateway's sweeper ends the run `sidecar_lost` at max_duration + the grace, keeping the
 * transcript it streamed, and the test run settles `failed`. On Workers the cron's sweep does
 * it, at the agent's own max_duration_s + 30 s.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseGatewayEnv, type RunningGateway, startGateway } from "@spar/gateway/node";
import { afterEach, describe, expect, it } from "vitest";
import { type ChildSidecar, startChildSidecar } from "./child-sidecar.ts";
import { contractClient } from "./contract-client.ts";
import { type RunningTarget, workersTarget } from "./gateway-targets.ts";
import { SIDECAR_TOKEN } from "./scripted-sidecar.ts";

let child: ChildSidecar | undefined;
let gateway: RunningGateway | undefined;
let dir: string | undefined;

afterEach(async () => {
  child?.kill();
  await gateway?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a voice run whose sidecar is lost", () => {
  it("ends sidecar_lost at max_duration + grace, keeps what was said, and settles its test run", async () => {
    const sidecar = await startChildSidecar();
    child = sidecar;
    dir = await mkdtemp(join(tmpdir(), "spar-sidecar-lost-"));
    const parsed = parseGatewayEnv({ SPAR_SIDECARS: sidecar.url, SPAR_SIDECAR_TOKEN: SIDECAR_TOKEN });
    if (!parsed.ok) throw new Error(parsed.errors.join("; "));
    gateway = await startGateway({
      port: 0,
      host: "127.0.0.1",
      dataDir: dir,
      config: parsed.config,
      log: () => {},
      sweepEveryMs: 100,
      voiceMaxDurationS: 1,
      voiceDeadlineGraceMs: 1_000,
    });
    const gw = gateway;
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${gw.url}${path}`, {
        method,
        headers: { "X-API-Key": gw.firstStartKey ?? "", "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      // biome-ignore lint/suspicious/noExplicitAny: the test reads the API's JSON answers
      return { status: res.status, body: (await res.json()) as any };
    };
    const agent = await api("POST", "/v1/agents", {
      name: "Voice bot",
      voice: { livekit: { mode: "manual", url: "ws://127.0.0.1:7880", token: "caller-token" } },
    });
    const scenario = await api("POST", "/v1/scenarios", { name: "Hello", script: [{ say: "hello" }] });
    const started = await api("POST", "/v1/test-runs", {
      agent_id: agent.body.id,
      scenario_ids: [scenario.body.id],
    });
    expect(started.status).toBe(201);
    const runId: number = (await api("GET", `/v1/runs?test_run_id=${started.body.test_run_id}`)).body.data[0]
      .id;
    // Running, with the caller's first turn stored from the sidecar's live events.
    const events = await until(
      () =>
        fetch(`${gw.url}/v1/runs/${runId}/events`, {
          headers: { "X-API-Key": gw.firstStartKey ?? "" },
          signal: AbortSignal.timeout(300),
        })
          .then((r) => r.text())
          .catch(() => ""),
      (text) => text.includes("event: transcript"),
      10_000,
    );
    expect(events).toContain("hello, is anyone there?");
    child.kill();

    const ended = await until(
      () => api("GET", `/v1/runs/${runId}`),
      (r) => r.body.status !== "running",
      10_000,
    );
    expect(ended.body).toMatchObject({
      status: "failed",
      ended_reason: "sidecar_lost",
      ended_by: "platform",
      passed: false,
      transcript: [
        { role: "user", content: "hello, is anyone there?", at_ms: 500, start_ms: 500, end_ms: 1_700 },
      ],
    });
    expect(ended.body.error).toMatch(/^no result came from the sidecar/);
    const startedAt = Date.parse(ended.body.started_at);
    // Not before max_duration (1 s) + grace (1 s); the sweeper runs every 100 ms.
    expect(Date.parse(ended.body.ended_at) - startedAt).toBeGreaterThanOrEqual(2_000);
    const testRun = await until(
      () => api("GET", `/v1/test-runs/${started.body.test_run_id}`),
      (r) => r.body.status === "done",
      5_000,
    );
    expect(testRun.body).toMatchObject({ verdict: "failed", runs: { total: 1, failed: 1, passed: 0 } });
  });
});

describe("a voice run whose sidecar is lost, on Workers (workerd)", () => {
  let target: RunningTarget | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it("ends sidecar_lost at the agent's max_duration_s + 30 s when the cron sweeps, and settles its test run", async () => {
    const sidecar = await startChildSidecar();
    child = sidecar;
    target = await workersTarget.start({ SPAR_SIDECARS: sidecar.url, SPAR_SIDECAR_TOKEN: SIDECAR_TOKEN });
    const client = contractClient(target);
    const agent = await client.call("POST", "/v1/agents", {
      name: "Voice bot",
      // The agent's own limit gives the run a deadline of 1 s + the spec's 30 s grace.
      voice: {
        livekit: { mode: "manual", url: "ws://127.0.0.1:7880", token: "caller-token" },
        max_duration_s: 1,
      },
    });
    const scenario = await client.call("POST", "/v1/scenarios", {
      name: "Hello",
      script: [{ say: "hello" }],
    });
    const started = await client.call("POST", "/v1/test-runs", {
      agent_id: agent.body.id,
      scenario_ids: [scenario.body.id],
    });
    expect(started.status).toBe(201);
    const testRunId: number = started.body.test_run_id;
    const runId: number = (await client.call("GET", `/v1/runs?test_run_id=${testRunId}`)).body.data[0].id;
    const running = await until(
      () => client.call("GET", `/v1/runs/${runId}`),
      (r) => r.body.status === "running",
      10_000,
    );
    expect(running.body.status).toBe("running");
    const startedAt = Date.parse(running.body.started_at);
    child.kill();

    const gw = target;
    /** The cron trigger, as Cloudflare fires it each minute (wrangler dev --test-scheduled). */
    const sweep = () => fetch(`${gw.baseUrl}/__scheduled`).then((r) => r.text());
    // Before the deadline the sweep leaves the run running: the sidecar may still deliver.
    await sweep();
    expect((await client.call("GET", `/v1/runs/${runId}`)).body.status).toBe("running");
    await new Promise((r) => setTimeout(r, Math.max(0, startedAt + 31_000 - Date.now()) + 200));
    await sweep();
    const ended = await client.call("GET", `/v1/runs/${runId}`);
    expect(ended.body).toMatchObject({
      status: "failed",
      ended_reason: "sidecar_lost",
      ended_by: "platform",
      passed: false,
    });
    expect(ended.body.error).toMatch(/^no result came from the sidecar/);
    expect(Date.parse(ended.body.ended_at) - startedAt).toBeGreaterThanOrEqual(31_000);
    const testRun = await client.call("GET", `/v1/test-runs/${testRunId}`);
    expect(testRun.body).toMatchObject({
      status: "done",
      verdict: "failed",
      runs: { total: 1, failed: 1, passed: 0 },
    });
  }, 120_000);
});
