/**
 * The gateway contract, part 2, over HTTP against every runtime in TARGETS: tenancy, the
 * outbound policy at save, a test run from suites-as-code to a settled verdict against the
 * real reference agent, its live events, and a signed webhook to a receiver on loopback — with
 * every answer scanned for the secrets the test configured.
 */
import { createServer, type Server } from "node:http";
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { findSecrets, verifyWebhookSignature } from "@spar/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningTarget, TARGETS } from "./gateway-targets.ts";

const ADMIN = "contract-admin-token-0123456789";
const AGENT_SECRET = "contract-agent-secret-7f3a";

describe.each(TARGETS)("gateway contract on $name: the API", (target) => {
  let gw: RunningTarget;
  let agent: ReferenceTextAgent;
  let otherKey: string;
  const answers: string[] = [];
  const call = async (method: string, path: string, body?: unknown, key = gw.apiKey) => {
    const res = await fetch(`${gw.baseUrl}${path}`, {
      method,
      headers: { "X-API-Key": key, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    answers.push(text);
    // biome-ignore lint/suspicious/noExplicitAny: the contract reads every route's answer
    return { status: res.status, body: (text === "" ? undefined : JSON.parse(text)) as any };
  };

  beforeAll(async () => {
    agent = await startReferenceTextAgent({ port: 0, secret: AGENT_SECRET });
    gw = await target.start({ SPAR_ADMIN_TOKEN: ADMIN });
    const res = await fetch(`${gw.baseUrl}/v1/admin/workspaces`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "other" }),
    });
    expect(res.status).toBe(201);
    otherKey = ((await res.json()) as { api_key: string }).api_key;
  });
  afterAll(async () => {
    await gw.close();
    await agent.close();
  });

  const suite = {
    version: 1,
    agent: { id: "echo-bot", text: { url: "", secret: AGENT_SECRET, per_turn_timeout_s: 5, settle_ms: 20 } },
    scenarios: [
      { id: "ping", tags: ["smoke"], script: [{ say: "ping" }, { expect: "/said: ping/" }] },
      { id: "silence", tags: ["smoke"], script: [{ say: "pong" }, { expect: "/never said/" }] },
    ],
  };

  it("answers another workspace's objects exactly as missing ones: 404", async () => {
    const created = await call("POST", "/v1/agents", {
      name: "a",
      text: { url: `${agent.url}/echo`, secret: AGENT_SECRET },
    });
    expect(created.status).toBe(201);
    expect(created.body.text).toMatchObject({ secret_configured: true });
    const id = created.body.id;
    const theirs = await call("GET", `/v1/agents/${id}`, undefined, otherKey);
    const missing = await call("GET", "/v1/agents/999999", undefined, otherKey);
    expect([theirs.status, theirs.body.error.code]).toEqual([404, "not_found"]);
    expect(missing.status).toBe(404);
    expect((await call("DELETE", `/v1/agents/${id}`, undefined, otherKey)).status).toBe(404);
    expect((await call("GET", `/v1/agents/${id}`)).status).toBe(200);
  });

  it("runs a suite from suites-as-code to a settled verdict, with live events and a signed webhook", async () => {
    const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    try {
      const port = (receiver.address() as { port: number }).port;
      const hook = await call("POST", "/v1/webhooks", {
        url: `http://127.0.0.1:${port}/hook`,
        events: ["test_run.finished"],
      });
      expect(hook.status).toBe(201);
      const upserted = await call("PUT", "/v1/suites", {
        ...suite,
        agent: { ...suite.agent, text: { ...suite.agent.text, url: `${agent.url}/echo` } },
      });
      expect(upserted.status).toBe(200);
      const started = await call("POST", "/v1/test-runs", {
        agent_id: upserted.body.agent_id,
        tags: ["smoke"],
        success_threshold: 50,
      });
      expect(started.status).toBe(201);
      let view = started.body;
      for (let i = 0; i < 100 && view.verdict !== "passed" && view.verdict !== "failed"; i++) {
        await new Promise((r) => setTimeout(r, 100));
        view = (await call("GET", `/v1/test-runs/${started.body.test_run_id}`)).body;
      }
      expect(view).toMatchObject({
        status: "done",
        verdict: "passed",
        pass_rate: 50,
        runs: { total: 2, passed: 1 },
      });
      expect(view.failed_runs[0].reason).toContain("expectation failed");

      const { data } = (await call("GET", `/v1/runs?test_run_id=${started.body.test_run_id}`)).body;
      const events = await (
        await fetch(`${gw.baseUrl}/v1/runs/${data[0].id}/events`, { headers: { "X-API-Key": gw.apiKey } })
      ).text();
      answers.push(events);
      expect(events).toMatch(/event: status\n/);
      expect(events).toMatch(/event: transcript\n/);
      // The stream closes after `ended`, the run object exactly as GET /v1/runs/{id} answers it.
      const last = events.trim().split("\n\n").at(-1) ?? "";
      expect(last).toMatch(/^event: ended\n/m);
      const endedData = /^data: (.*)$/m.exec(last)?.[1] ?? "null";
      expect(JSON.parse(endedData)).toEqual((await call("GET", `/v1/runs/${data[0].id}`)).body);

      for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(received).toHaveLength(1);
      const delivery = received[0];
      const check = await verifyWebhookSignature(
        hook.body.secret,
        String(delivery?.headers["spar-signature"]),
        delivery?.body ?? "",
        Math.floor(Date.now() / 1000),
        300,
      );
      expect(check.ok).toBe(true);
      expect(JSON.parse(delivery?.body ?? "{}")).toMatchObject({
        type: "test_run.finished",
        data: { verdict: "passed" },
      });
      expect(delivery?.headers["spar-event-id"]).toBe(JSON.parse(delivery?.body ?? "{}").id);
    } finally {
      receiver.close();
    }
  });

  it("never answers a configured secret", () => {
    expect(answers.length).toBeGreaterThan(10);
    expect(findSecrets(answers.join("\n"), [AGENT_SECRET, ADMIN])).toEqual([]);
  });
});

describe.each(TARGETS)("gateway contract on $name: the outbound policy public", (target) => {
  let gw: RunningTarget;
  beforeAll(async () => {
    gw = await target.start({ SPAR_OUTBOUND_POLICY: "public" });
  });
  afterAll(async () => {
    await gw.close();
  });

  it.each([
    "wss://127.0.0.1/ws",
    "wss://2130706433/ws",
    "wss://0x7f.1/ws",
    "wss://0177.0.0.1/ws",
    "wss://[::ffff:127.0.0.1]/ws",
    "wss://10.1.2.3/ws",
    "wss://169.254.169.254/ws",
    "wss://100.64.0.1/ws",
    "wss://localhost/ws",
    "ws://bot.example.com/ws",
  ])("refuses %s at save with 400 naming text.url", async (url) => {
    const res = await fetch(`${gw.baseUrl}/v1/agents`, {
      method: "POST",
      headers: { "X-API-Key": gw.apiKey, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "x", text: { url, secret: "s" } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("bad_request");
    expect(body.error.message).toMatch(/^text\.url: /);
  });
});
