import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAgent } from "../../db/repositories/agents.ts";
import { findSecrets } from "../../security/find-secrets.ts";
import { openAgentChannels } from "../catalog/agent-channels.ts";
import { type RouteHarness, startRouteHarness } from "./route-harness.fixture.ts";

const SECRET = "suite-text-secret-a81f";
const NEW_SECRET = "suite-text-secret-b92e";
let h: RouteHarness;
const call: RouteHarness["call"] = (method, path, body, key) => h.call(method, path, body, key);

beforeAll(async () => {
  h = await startRouteHarness();
});
afterAll(async () => {
  await h.close();
});

const suite = (secret: string, scenarios: unknown[]) => ({
  version: 1,
  agent: { id: "billing-bot", text: { url: "ws://127.0.0.1:9000/ws", secret } },
  scenarios,
});
const greet = {
  id: "greet",
  name: "Greeting",
  tags: ["smoke"],
  script: [{ say: "hi" }, { expect: "hello" }],
};
const refund = { id: "refund", script: [{ say: "refund please" }, { end: true }] };

describe("PUT /v1/suites", () => {
  it("creates the agent and its scenarios by their keys", async () => {
    const res = await call("PUT", "/v1/suites", suite(SECRET, [greet, refund]));
    expect(res.status).toBe(200);
    const scenarios = (await call("GET", `/v1/scenarios?agent_id=${res.body.agent_id}`)).body.data;
    expect(res.body).toEqual({
      agent_id: res.body.agent_id,
      scenarios: [
        { id: scenarios[1].id, key: "greet" },
        { id: scenarios[0].id, key: "refund" },
      ],
    });
    const agent = (await call("GET", `/v1/agents/${res.body.agent_id}`)).body;
    expect(agent).toMatchObject({
      key: "billing-bot",
      name: "billing-bot",
      text: { secret_configured: true },
    });
    expect(scenarios[1]).toMatchObject({
      key: "greet",
      name: "Greeting",
      tags: ["smoke"],
      script: greet.script,
    });
  });

  it("updates the same objects when put again, keeping what the suite does not say", async () => {
    const first = await call("PUT", "/v1/suites", suite(SECRET, [greet]));
    const [greetRow] = first.body.scenarios;
    await call("PATCH", `/v1/agents/${first.body.agent_id}`, { name: "Billing bot" });
    await call("PATCH", `/v1/scenarios/${greetRow.id}`, { expected_outcome: "Says hello." });
    const again = await call("PUT", "/v1/suites", {
      ...suite(NEW_SECRET, [{ ...greet, name: "Greeting v2" }]),
      defaults: { channel: "text", repeat: 3 },
    });
    expect(again.body).toEqual({ agent_id: first.body.agent_id, scenarios: [greetRow] });
    const agent = await getAgent(h.services.db, h.a.workspaceId, first.body.agent_id);
    if (!agent) throw new Error("the agent is gone");
    expect(agent.name).toBe("Billing bot");
    expect((await openAgentChannels(h.services.secrets, agent)).text?.secret).toBe(NEW_SECRET);
    const scenario = (await call("GET", `/v1/scenarios/${greetRow.id}`)).body;
    expect(scenario).toMatchObject({ name: "Greeting v2", expected_outcome: "Says hello.", repeat: 3 });
  });

  it("refuses an invalid suite with the suite loader's field paths", async () => {
    const res = await call("PUT", "/v1/suites", {
      version: 1,
      agent: { id: "bot" },
      scenarios: [{ id: "a", script: [{ say: "x", dtmf: "1" }], metadata: { "X-RUBRIC-AGENT-ID": "7" } }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      "scenarios[0].script[0]: a step takes one action, got say and dtmf; split it into two steps; " +
        "scenarios[0]: runs on the text channel but agent.text is not configured; " +
        "scenarios[0].metadata.X-RUBRIC-AGENT-ID: X-RUBRIC-* headers are set by the platform and cannot be overridden; rename it",
    );
  });

  it("checks the agent's URLs against the outbound policy, naming the suite's path", async () => {
    const bad = suite(SECRET, [greet]);
    bad.agent.text.url = "ws://10.9.8.7/ws";
    const res = await call("PUT", "/v1/suites", bad);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      "agent.text.url: host 10.9.8.7 is a private address, refused by outbound policy loopback",
    );
  });

  it("keeps workspaces apart: the same keys make other objects in another workspace", async () => {
    const mine = await call("PUT", "/v1/suites", suite(SECRET, [greet]));
    const theirs = await call("PUT", "/v1/suites", suite(SECRET, [greet]), h.b.apiKey);
    expect(theirs.status).toBe(200);
    expect(theirs.body.agent_id).not.toBe(mine.body.agent_id);
    expect(theirs.body.scenarios[0].id).not.toBe(mine.body.scenarios[0].id);
    expect((await call("GET", `/v1/agents/${mine.body.agent_id}`, undefined, h.b.apiKey)).status).toBe(404);
  });

  it("answers no configured secret in any response or log line", () => {
    expect(findSecrets(h.bodies.join("\n"), [SECRET, NEW_SECRET])).toEqual([]);
    expect(findSecrets(JSON.stringify(h.logs), [SECRET, NEW_SECRET])).toEqual([]);
  });
});
