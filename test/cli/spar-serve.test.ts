/**
 * `spar serve` through its real bin: the first-start key, suites as code and a test run driven
 * the way RubricHQ's CI action drives one (Bearer key, integer ids, poll until the verdict
 * settles) against the real reference agent, on Node and on Workers (workerd through wrangler
 * dev); SIGTERM exits 0; a gateway killed mid-run ends that run on its next start, and its test
 * run settles.
 */
import { rm } from "node:fs/promises";
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

async function serve(data: string, runtime: "node" | "workers" = "node") {
  const proc = startSparBin(["serve", "--port", "0", "--data", data, "--runtime", runtime]);
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
  );

  it("ends a run left in flight by a killed gateway on the next start, and settles its test run", async () => {
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
    await new Promise((r) => setTimeout(r, 500));
    first.child.kill("SIGKILL");
    await first.result;
    const second = await serve(data);
    try {
      const view = (await api(second.url, key)("GET", `/v1/test-runs/${started.body.test_run_id}`)).body;
      expect(view).toMatchObject({ status: "done", verdict: "failed", runs: { total: 1, failed: 1 } });
      expect(view.failed_runs[0].reason).toContain("gateway restarted");
    } finally {
      second.child.kill("SIGTERM");
      expect((await second.result).code).toBe(0);
    }
  });
});
