/**
 * The gateway contract, part 8: the leak scan. Every kind of secret the gateway holds is
 * configured — agent text secrets, LiveKit API secrets and tokens, the LLM key, webhook secrets,
 * the operator token, the secret-at-rest key and API keys — then the API is driven through its
 * happy paths, its refusals (with secrets in the refused bodies), runs that pass and fail, event
 * streams and webhook deliveries (one retried). Every answer, event, delivery and log line is
 * scanned; the one answer that shows a key or webhook secret by design is the only exception.
 */
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { findSecrets } from "@spar/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ContractClient,
  contractClient,
  createWorkspace,
  pollUntil,
  readEvents,
  startReceiver,
  type WebhookReceiver,
} from "./contract-client.ts";
import { type RunningTarget, TARGETS } from "./gateway-targets.ts";

const ADMIN = "leak-admin-token-6f1d2e3c4b5a";
const SECRET_KEY = Buffer.alloc(32, 0x5a).toString("base64");
const AGENT_SECRET = "leak-agent-secret-0d9c8b7a";
const WRONG_SECRET = "leak-wrong-secret-1e2f3a4b";
const LIVEKIT_SECRET = "leak-livekit-secret-77e1";
const LIVEKIT_TOKEN = "leak-livekit-token-eyJhbGciOi";
const WORKSPACE_LIVEKIT_SECRET = "leak-workspace-livekit-secret-90ab";
const LLM_KEY = "leak-llm-key-sk-5c4d3e2f";

describe.each(TARGETS)("gateway contract on $name: the leak scan", (target) => {
  let gw: RunningTarget;
  let agent: ReferenceTextAgent;
  let receiver: WebhookReceiver;
  let client: ContractClient;
  /** Keys and webhook secrets the gateway made, each shown once. */
  const made: string[] = [];

  beforeAll(async () => {
    agent = await startReferenceTextAgent({ port: 0, secret: AGENT_SECRET });
    receiver = await startReceiver([500]);
    gw = await target.start({
      SPAR_ADMIN_TOKEN: ADMIN,
      SPAR_SECRET_KEY: SECRET_KEY,
      SPAR_WEBHOOK_FIRST_RETRY_MS: "200",
    });
    client = contractClient(gw);
  });
  afterAll(async () => {
    await gw.close();
    await receiver.close();
    await agent.close();
  });
  const call: ContractClient["call"] = (...args) => client.call(...args);

  it("keeps every secret out of answers while configuring, reading and refusing", async () => {
    made.push((await createWorkspace(gw, ADMIN, "other")).api_key);
    const key = await call("POST", "/v1/api-keys", { name: "ci" }, { showsSecret: true });
    made.push(key.body.key);
    const hook = await call(
      "POST",
      "/v1/webhooks",
      { url: receiver.url, events: ["run.finished", "test_run.finished"] },
      { showsSecret: true },
    );
    made.push(hook.body.secret);
    await call("GET", "/v1/api-keys", undefined, { key: key.body.key });
    await call("GET", "/v1/webhooks");

    await call("PUT", "/v1/settings/llm", {
      base_url: "https://llm.example.com/v1",
      model: "m",
      api_key: LLM_KEY,
    });
    await call("PUT", "/v1/settings/livekit", {
      url: "wss://lk.example.com",
      api_key: "k",
      api_secret: WORKSPACE_LIVEKIT_SECRET,
    });
    const voice = await call("POST", "/v1/agents", {
      name: "voice",
      voice: {
        livekit: {
          mode: "rubric",
          url: "wss://lk.example.com",
          api_key: "k",
          api_secret: LIVEKIT_SECRET,
          agent_name: "a",
        },
      },
    });
    const manual = await call("POST", "/v1/agents", {
      name: "manual",
      voice: { livekit: { mode: "manual", url: "wss://lk.example.com", token: LIVEKIT_TOKEN } },
    });
    await call("PATCH", `/v1/agents/${voice.body.id}`, { name: "voice 2" });
    await call("GET", `/v1/agents/${manual.body.id}`);
    for (const path of ["/v1/agents", "/v1/settings/llm", "/v1/settings/livekit"]) await call("GET", path);

    // Refusals whose bodies carry a secret: the message names the field, never the value.
    const refusals: [string, string, unknown][] = [
      ["POST", "/v1/agents", { name: "bad", text: { url: "ftp://x", secret: AGENT_SECRET } }],
      [
        "POST",
        "/v1/agents",
        { name: "bad", text: { url: "ws://127.0.0.1:9", secret: AGENT_SECRET, settle_ms: AGENT_SECRET } },
      ],
      [
        "POST",
        "/v1/agents",
        { name: "bad", text: { url: "ws://127.0.0.1:9", secret: { value: AGENT_SECRET } } },
      ],
      [
        "POST",
        "/v1/agents",
        { name: "bad", voice: { livekit: { mode: "manual", url: "ws://10.0.0.1", token: LIVEKIT_TOKEN } } },
      ],
      ["PUT", "/v1/settings/llm", { base_url: "gopher://llm", model: "m", api_key: LLM_KEY }],
      ["PUT", "/v1/settings/llm", { base_url: "https://llm.example.com", model: "m", api_key: [LLM_KEY] }],
      [
        "PUT",
        "/v1/settings/livekit",
        { url: "wss://lk.example.com", api_key: "k", api_secret: 7, note: LIVEKIT_SECRET },
      ],
      [
        "PUT",
        "/v1/suites",
        { version: 1, agent: { id: "s", text: { url: "x", secret: AGENT_SECRET } }, scenarios: [] },
      ],
    ];
    for (const [method, path, body] of refusals) expect((await call(method, path, body)).status).toBe(400);
    // Secrets presented as credentials.
    for (const presented of [AGENT_SECRET, LLM_KEY, ADMIN]) {
      expect((await call("GET", "/v1/agents", undefined, { key: presented })).status).toBe(401);
    }
    const adminWithKey = await call(
      "POST",
      "/v1/admin/workspaces",
      { name: "x" },
      {
        headers: { Authorization: `Bearer ${key.body.key}` },
      },
    );
    expect(adminWithKey.status).toBe(401);
  });

  it("keeps every secret out of runs, their events, webhook deliveries and the log", async () => {
    const upserted = await call("PUT", "/v1/suites", {
      version: 1,
      agent: { id: "echo-bot", text: { url: `${agent.url}/echo`, secret: AGENT_SECRET, settle_ms: 20 } },
      scenarios: [
        { id: "ping", tags: ["leak"], script: [{ say: "ping" }, { expect: "/said: ping/" }] },
        { id: "miss", tags: ["leak"], script: [{ say: "pong" }, { expect: "/never said/" }] },
      ],
    });
    // The agent refuses this secret: the run fails at the handshake.
    const wrong = await call("POST", "/v1/agents", {
      name: "wrong",
      text: { url: `${agent.url}/echo`, secret: WRONG_SECRET },
    });
    const started = [
      await call("POST", "/v1/test-runs", { agent_id: upserted.body.agent_id, tags: ["leak"] }),
      await call("POST", "/api/public/v1/test_runs", {
        agent_id: wrong.body.id,
        tags: ["leak"],
        secret: AGENT_SECRET,
      }),
    ];
    for (const s of started) {
      expect(s.status).toBe(201);
      const done = await pollUntil(
        () => call("GET", `/v1/test-runs/${s.body.test_run_id}`),
        (res) => res.body.status === "done",
      );
      expect(done.body.status).toBe("done");
      const runs = await call("GET", `/v1/runs?test_run_id=${s.body.test_run_id}`);
      for (const run of runs.body.data) await readEvents(gw, client, run.id);
    }
    const failedRuns = (await call("GET", `/v1/runs?test_run_id=${started[1]?.body.test_run_id}`)).body.data;
    expect(failedRuns.map((r: { passed: boolean }) => r.passed)).toEqual([false, false]);

    // 4 run.finished + 2 test_run.finished, the first of them answered 500 and retried.
    const deliveries = await pollUntil(
      async () => receiver.deliveries.filter((d) => d.status === 200),
      (ds) => ds.length === 6,
    );
    expect(deliveries).toHaveLength(6);
    for (const d of receiver.deliveries) client.record(`${JSON.stringify(d.headers)} ${d.body}`);
  });

  it("finds no configured secret anywhere it looked, though it finds the shown ones where they were shown", () => {
    const secrets = [
      ADMIN,
      SECRET_KEY,
      AGENT_SECRET,
      WRONG_SECRET,
      LIVEKIT_SECRET,
      LIVEKIT_TOKEN,
      WORKSPACE_LIVEKIT_SECRET,
      LLM_KEY,
      gw.apiKey,
      ...made,
    ];
    expect(made).toHaveLength(3);
    expect(client.answers.length).toBeGreaterThan(40);
    expect(gw.logs.some((line) => line.includes("webhook_retry"))).toBe(true);
    expect(findSecrets(client.answers.join("\n"), secrets)).toEqual([]);
    expect(findSecrets(gw.logs.join("\n"), secrets)).toEqual([]);
    // The scan can see: the answers that show the new key and webhook secret once contain
    // exactly those (the other workspace's key was shown by the operator route, read apart).
    expect(findSecrets(client.shown.join("\n"), secrets)).toEqual(made.slice(1));
  });
});
