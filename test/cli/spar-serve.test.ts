/**
 * `spar serve` through its real bin: the first-start key, suites as code and a test run driven
 * the way RubricHQ's CI action drives one (Bearer key, integer ids, poll until the verdict
 * settles) against the real reference agent, on Node and on Workers (workerd through wrangler
 * dev); SIGTERM exits 0; a Node gateway killed (kill -9) mid-run keeps the events it had stored,
 * ends that run on its next start, and its test run settles; and every webhook delivery, pending
 * or owed, arrives after the restart.
 */
import { rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSparBin, tempDir } from "./cli-harness.ts";

const SECRET = "serve-secret";
let agent: ReferenceTextAgent;
let dir: string;
beforeAll(async () => {
  agent = await startReferenceTextAgent({ port: 0, secret: SECRET });
  dir = await tempDir();
});
afterAll(async () => {
  await agent.close();
  await rm(dir, { recursive: true, force: true });
});

async function serve(data: string, runtime: "node" | "workers" = "node", env: Record<string, string> = {}) {
  const proc = startSparBin(["serve", "--port", "0", "--data", data, "--runtime", runtime], env);
  const deadline = Date.now() + 60_000;
  while (!/listening on (http:\/\/\S+)/.test(proc.stdout())) {
    if (Date.now() > deadline) throw new Error(`spar serve did not start: ${proc.stdout()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /listening on (http:\/\/\S+)/.exec(proc.stdout())?.[1] ?? "";
  return { ...proc, url };
}

const api = (url: string, key: string) => async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the test reads answers of several routes' shapes
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

/** Reads the run's SSE stream until `until` matches what arrived (or the stream ends): the text. */
async function readEvents(url: string, key: string, runId: number, until: RegExp): Promise<string> {
  const abort = new AbortController();
  const res = await fetch(`${url}/v1/runs/${runId}/events`, {
    headers: { Authorization: `Bearer ${key}` },
    signal: abort.signal,
  });
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const chunk = await reader?.read();
    if (chunk === undefined || chunk.done) return text;
    text += decoder.decode(chunk.value, { stream: true });
    if (until.test(text)) {
      abort.abort();
      return text;
    }
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const eventLines = (text: string) =>
  text
    .split("\n")
    .filter((line) => line.startsWith("event:") || line.startsWith("id:"))
    .join(" ");

function suite(behavior = "") {
  return {
    version: 1,
    agent: {
      id: "echo-bot",
      text: { url: `${agent.url}/echo${behavior}`, secret: SECRET, per_turn_timeout_s: 5, settle_ms: 20 },
    },
    scenarios: [
      { id: "ping", script: [{ say: "ping" }, { expect: "/said: ping/" }] },
      { id: "pong", script: [{ say: "pong" }, { expect: "/said: nothing like this/" }] },
    ],
  };
}

describe("spar serve", () => {
  it.each(["node", "workers"] as const)(
    "serves a test run the way RubricHQ's CI action drives one on %s, then stops on SIGTERM with exit 0",
    async (runtime) => {
      const gw = await serve(join(dir, `a-${runtime}`), runtime);
      const key = /\n {2}(spar_\S+)\n/.exec(gw.stdout())?.[1] ?? "";
      expect(key).toMatch(/^spar_/);
      const call = api(gw.url, key);
      const upserted = await call("PUT", "/v1/suites", suite());
      expect(upserted.status).toBe(200);
      const ids = (upserted.body.scenarios as { id: number }[]).map((s) => s.id);
      const started = await call("POST", "/api/public/v1/test_runs", {
        agent_id: Number(upserted.body.agent_id),
        scenario_ids: ids,
        frequency: 2,
        success_threshold: 50,
        github_run_id: "12345",
      });
      expect(started.status).toBe(201);
      let view = started.body;
      for (let i = 0; i < 100; i++) {
        view = (await call("GET", `/api/public/v1/test_runs/${started.body.test_run_id}`)).body;
        if (view.verdict !== "pending") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(view).toMatchObject({
        verdict: "passed",
        pass_rate: 50,
        runs: { total: 4, completed: 4, failed: 0, passed: 2 },
      });
      expect(view.failed_runs).toHaveLength(2);
      gw.child.kill("SIGTERM");
      const done = await gw.result;
      expect(done.code).toBe(0);
    },
    // workerd through wrangler dev starts in 2–3 s idle; a clean-clone CI run beside other load
    // measured over 20 s for this test (start, 4 runs, stop), so it gets the start-up budget.
    60_000,
  );

  it("keeps the stored events of a run left in flight by a killed gateway, ends it on the next start, and settles its test run", async () => {
    const data = join(dir, "b");
    const first = await serve(data);
    const key = /\n {2}(spar_\S+)\n/.exec(first.stdout())?.[1] ?? "";
    const call = api(first.url, key);
    const upserted = await call("PUT", "/v1/suites", suite("?behavior=slow:20000"));
    const started = await call("POST", "/v1/test-runs", {
      agent_id: upserted.body.agent_id,
      scenario_ids: [upserted.body.scenarios[0].id],
    });
    expect(started.status).toBe(201);
    const runs = await call("GET", `/v1/runs?test_run_id=${started.body.test_run_id}`);
    const runId = Number(runs.body.data[0].id);
    // Once the stream has sent what the caller said, it is stored: a kill -9 must not lose it.
    const live = await readEvents(first.url, key, runId, /event: transcript[\s\S]*"ping"[\s\S]*\n\n/);
    expect(eventLines(live)).toBe("event: status id: 1 event: transcript id: 2");
    first.child.kill("SIGKILL");
    await first.result;
    const second = await serve(data);
    try {
      const view = (await api(second.url, key)("GET", `/v1/test-runs/${started.body.test_run_id}`)).body;
      expect(view).toMatchObject({ status: "done", verdict: "failed", runs: { total: 1, failed: 1 } });
      expect(view.failed_runs[0].reason).toContain("gateway restarted");
      const replayed = await readEvents(second.url, key, runId, /event: ended/);
      expect(eventLines(replayed)).toBe("event: status id: 1 event: transcript id: 2 event: ended id: 3");
      expect(replayed).toContain('"content":"ping"');
    } finally {
      second.child.kill("SIGTERM");
      expect((await second.result).code).toBe(0);
    }
  });

  it("delivers every webhook after a kill -9: one failing at the kill, and one for the test run the restart settles", async () => {
    const deliveries: { status: number; eventId: string; body: string }[] = [];
    let answer = 500;
    let holdMs = 0;
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const status = answer;
        deliveries.push({ status, eventId: String(req.headers["spar-event-id"]), body });
        setTimeout(() => res.writeHead(status).end(), holdMs);
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const env = { SPAR_OUTBOUND_POLICY: "loopback", SPAR_WEBHOOK_FIRST_RETRY_MS: "100" };
    const data = join(dir, "c");
    const first = await serve(data, "node", env);
    const key = /\n {2}(spar_\S+)\n/.exec(first.stdout())?.[1] ?? "";
    let second: Awaited<ReturnType<typeof serve>> | undefined;
    try {
      const call = api(first.url, key);
      const hook = await call("POST", "/v1/webhooks", { url: receiverUrl, events: ["test_run.finished"] });
      expect(hook.status).toBe(201);
      const quick = (await call("PUT", "/v1/suites", suite())).body;
      const done = await call("POST", "/v1/test-runs", {
        agent_id: quick.agent_id,
        scenario_ids: [quick.scenarios[0].id],
      });
      await until(() => deliveries.length > 0, "the first delivery attempt");
      const owed = deliveries[0]?.eventId ?? "";
      expect(deliveries[0]?.status).toBe(500);
      expect(owed).toMatch(/^evt_/);

      const slow = (await call("PUT", "/v1/suites", suite("?behavior=slow:20000"))).body;
      const inFlight = await call("POST", "/v1/test-runs", {
        agent_id: slow.agent_id,
        scenario_ids: [slow.scenarios[0].id],
      });
      const runs = await call("GET", `/v1/runs?test_run_id=${inFlight.body.test_run_id}`);
      await readEvents(first.url, key, Number(runs.body.data[0].id), /event: transcript[\s\S]*\n\n/);
      first.child.kill("SIGKILL");
      await first.result;

      answer = 200;
      // Each answer held 1 s: a start that freed claims after settling the runs freed the claim of
      // the event it had just begun to send, and sent it again meanwhile (1 start in 3 without the hold).
      holdMs = 1_000;
      second = await serve(data, "node", env);
      await until(() => deliveries.filter((d) => d.status === 200).length >= 2, "two delivered events");
      // The second send came from a poll queued behind the first, which runs once the first poll's
      // attempts end, after the 1 s hold: wait past it (a stop here would cancel that poll).
      await new Promise((r) => setTimeout(r, 1_500));
      const delivered = deliveries.filter((d) => d.status === 200).map((d) => JSON.parse(d.body));
      expect(delivered).toHaveLength(2);
      const byTestRun = new Map(delivered.map((e) => [e.data.test_run_id, e]));
      expect([...byTestRun.keys()].sort()).toEqual([done.body.test_run_id, inFlight.body.test_run_id].sort());
      expect(
        deliveries.find(
          (d) => d.status === 200 && JSON.parse(d.body).data.test_run_id === done.body.test_run_id,
        )?.eventId,
      ).toBe(owed);
      expect(byTestRun.get(inFlight.body.test_run_id)).toMatchObject({
        type: "test_run.finished",
        data: { status: "done", verdict: "failed" },
      });
    } finally {
      second?.child.kill("SIGTERM");
      if (second) expect((await second.result).code).toBe(0);
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill("SIGKILL");
      await new Promise((r) => receiver.close(r));
    }
  });
});
