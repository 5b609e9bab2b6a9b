/**
 * The gateway contract, part 6: the operator routes and credits over HTTP. With
 * SPAR_CREDITS=on a test run the balance does not cover is refused with 402 before anything is
 * created or debited; one it covers debits one credit per text run.
 */
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { findSecrets } from "@spar/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContractClient, contractClient, createWorkspace, expectError } from "./contract-client.ts";
import { type RunningTarget, TARGETS } from "./gateway-targets.ts";

const ADMIN = "credits-admin-token-0123456789";
const AGENT_SECRET = "credits-agent-secret-3d9f";

describe.each(TARGETS)("gateway contract on $name: operator routes and credits", (target) => {
  let gw: RunningTarget;
  let agent: ReferenceTextAgent;
  let client: ContractClient;
  let workspace: { workspace_id: number; api_key: string };
  const shownKeys: string[] = [];

  beforeAll(async () => {
    agent = await startReferenceTextAgent({ port: 0, secret: AGENT_SECRET });
    gw = await target.start({ SPAR_ADMIN_TOKEN: ADMIN, SPAR_CREDITS: "on" });
    client = contractClient(gw);
    workspace = await createWorkspace(gw, ADMIN, "paying");
    shownKeys.push(workspace.api_key);
  });
  afterAll(async () => {
    await gw.close();
    await agent.close();
  });

  const admin = (path: string, body: unknown, token = ADMIN) =>
    client.call("POST", `/v1/admin${path}`, body, {
      headers: { Authorization: `Bearer ${token}` },
      showsSecret: true,
    });
  const as =
    (key: string): ContractClient["call"] =>
    (method, path, body, options) =>
      client.call(method, path, body, { ...options, key });

  it("creates workspaces and users whose keys work, with the operator token only", async () => {
    const user = await admin(`/workspaces/${workspace.workspace_id}/users`, { name: "second" });
    expect(user.status).toBe(201);
    expect(Object.keys(user.body).sort()).toEqual(["api_key", "user_id"]);
    shownKeys.push(user.body.api_key);
    expect((await as(user.body.api_key)("GET", "/v1/credits")).status).toBe(200);

    expectError(await admin("/workspaces/999999/users", { name: "x" }), 404, "not_found");
    expectError(await admin("/workspaces", { name: "" }), 400, "bad_request", /^name: /);
    expectError(await admin("/workspaces", { name: "w" }, "wrong-token-0123456789"), 401, "unauthorized");
    expectError(await admin("/workspaces", { name: "w" }, workspace.api_key), 401, "unauthorized");
    const noHeader = await client.call(
      "POST",
      "/v1/admin/workspaces",
      { name: "w" },
      { key: workspace.api_key },
    );
    expectError(noHeader, 401, "unauthorized");
  });

  it("adds credits to one workspace's balance only, refusing a bad amount and an unknown workspace", async () => {
    expect((await as(workspace.api_key)("GET", "/v1/credits")).body).toEqual({ enabled: true, balance: 0 });
    expect((await admin(`/workspaces/${workspace.workspace_id}/credits`, { add: 3 })).body).toEqual({
      balance: 3,
    });
    expect((await as(workspace.api_key)("GET", "/v1/credits")).body).toEqual({ enabled: true, balance: 3 });
    expect((await client.call("GET", "/v1/credits")).body).toEqual({ enabled: true, balance: 0 });
    expectError(
      await admin(`/workspaces/${workspace.workspace_id}/credits`, { add: 0 }),
      400,
      "bad_request",
      /^add: /,
    );
    expectError(await admin("/workspaces/999999/credits", { add: 1 }), 404, "not_found");
  });

  it("refuses a test run the balance does not cover with 402, creating and debiting nothing", async () => {
    const call = as(workspace.api_key);
    const made = await call("POST", "/v1/agents", {
      name: "echo",
      text: { url: `${agent.url}/echo`, secret: AGENT_SECRET, settle_ms: 20 },
    });
    const a = await call("POST", "/v1/scenarios", {
      tags: ["t"],
      script: [{ say: "ping" }, { expect: "/ping/" }],
    });
    await call("POST", "/v1/scenarios", { tags: ["t"], script: [{ say: "pong" }, { expect: "/pong/" }] });

    const tooMany = await call("POST", "/v1/test-runs", {
      agent_id: made.body.id,
      tags: ["t"],
      frequency: 2,
    });
    expectError(tooMany, 402, "payment_required", /needs 4 credits/);
    const vendor = await call("POST", "/api/public/v1/test_runs", {
      agent_id: made.body.id,
      tags: ["t"],
      frequency: 2,
    });
    expectError(vendor, 402, "payment_required");
    expect((await call("GET", "/v1/test-runs")).body.data).toEqual([]);
    expect((await call("GET", "/v1/credits")).body.balance).toBe(3);

    const covered = await call("POST", "/v1/test-runs", {
      agent_id: made.body.id,
      scenario_ids: [a.body.id],
      frequency: 3,
    });
    expect(covered.status).toBe(201);
    expect((await call("GET", "/v1/credits")).body.balance).toBe(0);
    const empty = await call("POST", "/v1/test-runs", { agent_id: made.body.id, scenario_ids: [a.body.id] });
    expectError(empty, 402, "payment_required");
    expect(
      (await call("GET", "/v1/test-runs")).body.data.map((t: { test_run_id: number }) => t.test_run_id),
    ).toEqual([covered.body.test_run_id]);
  });

  it("never answers or logs the operator token, a key or the agent's secret", () => {
    const secrets = [ADMIN, AGENT_SECRET, gw.apiKey, ...shownKeys];
    expect(findSecrets(client.answers.join("\n"), secrets)).toEqual([]);
    expect(findSecrets(gw.logs.join("\n"), secrets)).toEqual([]);
  });
});
