import { agentViewSchema } from "@spar/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAgent } from "../../db/repositories/agents.ts";
import { findSecrets } from "../../security/find-secrets.ts";
import { openAgentChannels } from "../catalog/agent-channels.ts";
import { type RouteHarness, startRouteHarness } from "./route-harness.fixture.ts";

const NOW = "2026-12-04T12:00:00.000Z";
const TEXT_SECRET = "text-secret-7f3a9c";
const NEW_TEXT_SECRET = "text-secret-rotated-41bd";
const API_SECRET = "lk-api-secret-55e1c0";
const TOKEN = "lk-token-eyJhbGciOi-9d2";
const SECRETS = [TEXT_SECRET, NEW_TEXT_SECRET, API_SECRET, TOKEN];

let h: RouteHarness;
const call: RouteHarness["call"] = (method, path, body, key) => h.call(method, path, body, key);

beforeAll(async () => {
  h = await startRouteHarness();
});
afterAll(async () => {
  await h.close();
});

const textAgent = (key: string) => ({
  name: "Billing bot",
  key,
  text: { url: "wss://bot.example.com/ws", secret: TEXT_SECRET, per_turn_timeout_s: 30 },
});

describe("POST /v1/agents", () => {
  it("creates a text agent and answers it without its secret", async () => {
    const res = await call("POST", "/v1/agents", textAgent("billing-bot"));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: res.body.id,
      key: "billing-bot",
      name: "Billing bot",
      text: {
        url: "wss://bot.example.com/ws",
        per_turn_timeout_s: 30,
        max_duration_s: 600,
        first_speaker: "caller",
        settle_ms: 300,
        secret_configured: true,
      },
      voice: null,
      metric_ids: [],
      ignored_room_config_keys: [],
      created_at: NOW,
      updated_at: NOW,
    });
    expect((await call("GET", `/v1/agents/${res.body.id}`)).body).toEqual(res.body);
  });

  it("stores the text secret sealed, and a run can open it", async () => {
    const created = await call("POST", "/v1/agents", textAgent("sealed-check"));
    const row = await getAgent(h.services.db, h.a.workspaceId, created.body.id);
    if (!row) throw new Error("the agent was not stored");
    expect(row.textSecret?.ciphertext).toMatch(/^v1:/);
    expect(findSecrets(JSON.stringify(row), SECRETS)).toEqual([]);
    expect((await openAgentChannels(h.services.secrets, row)).text?.secret).toBe(TEXT_SECRET);
  });

  it("creates voice agents whose LiveKit secrets are only said to be configured", async () => {
    const rubric = await call("POST", "/v1/agents", {
      name: "Voice bot",
      voice: {
        livekit: {
          mode: "rubric",
          url: "wss://lk.example.com",
          api_key: "APIkey1",
          api_secret: API_SECRET,
          agent_name: "my-agent",
          room_config: { empty_timeout: 600, colour: "blue", auto_record: true },
        },
        agent_identity: "agent-under-test",
      },
    });
    expect(rubric.status).toBe(201);
    expect(rubric.body.voice).toEqual({
      livekit: {
        mode: "rubric",
        url: "wss://lk.example.com",
        api_key: "APIkey1",
        api_secret_configured: true,
        agent_name: "my-agent",
        room_config: { empty_timeout: 600, colour: "blue", auto_record: true },
      },
      agent_identity: "agent-under-test",
    });
    expect(rubric.body.ignored_room_config_keys).toEqual(["auto_record", "colour"]);
    expect(rubric.body.text).toBeNull();

    const manual = await call("POST", "/v1/agents", {
      name: "Manual",
      voice: { livekit: { mode: "manual", url: "wss://lk.example.com", token: TOKEN } },
    });
    expect(manual.status).toBe(201);
    expect(manual.body.voice).toEqual({
      livekit: {
        mode: "manual",
        url: "wss://lk.example.com",
        api_secret_configured: false,
        token_configured: true,
      },
    });
    const row = await getAgent(h.services.db, h.a.workspaceId, manual.body.id);
    if (!row) throw new Error("the agent was not stored");
    expect((await openAgentChannels(h.services.secrets, row)).voice).toEqual({
      livekit: { mode: "manual", url: "wss://lk.example.com", token: TOKEN },
    });
  });

  it("lets a rubric agent use the workspace's credentials, but not half of its own", async () => {
    const workspaceCreds = await call("POST", "/v1/agents", {
      name: "Dispatch",
      voice: { livekit: { mode: "rubric", agent_name: "a" } },
    });
    expect(workspaceCreds.status).toBe(201);
    expect(workspaceCreds.body.voice.livekit).toEqual({
      mode: "rubric",
      agent_name: "a",
      api_secret_configured: false,
    });
    const half = await call("POST", "/v1/agents", {
      name: "Half",
      voice: { livekit: { mode: "rubric", url: "wss://lk.example.com", api_key: "k" } },
    });
    expect(half.status).toBe(400);
    expect(half.body.error.message).toBe(
      "voice.livekit: give url, api_key and api_secret together, or none of them to use the workspace's LiveKit settings (missing: api_secret)",
    );
  });

  it("refuses room options of the wrong type, naming them", async () => {
    const res = await call("POST", "/v1/agents", {
      name: "Typed",
      voice: { livekit: { mode: "rubric", room_config: { empty_timeout: "10m", sync_streams: 1 } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      "voice.livekit.room_config.empty_timeout: must be an integer from 0 to 86400 (seconds); voice.livekit.room_config.sync_streams: must be true or false",
    );
  });

  it("refuses URLs the outbound policy refuses, naming each field", async () => {
    const res = await call("POST", "/v1/agents", {
      name: "Private",
      text: { url: "ws://10.1.2.3/ws", secret: TEXT_SECRET },
      voice: { livekit: { mode: "client", bot_runner_url: "http://169.254.169.254/latest" } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      "text.url: host 10.1.2.3 is a private address, refused by outbound policy loopback; voice.livekit.bot_runner_url: host 169.254.169.254 is a link-local address, refused by outbound policy loopback",
    );
  });

  it("refuses an agent without a channel, and an unknown field", async () => {
    const res = await call("POST", "/v1/agents", { name: "Nothing", colour: "red" });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      "(root): unknown field `colour` (check the spelling); (root): an agent needs a channel: give text, voice or both",
    );
  });

  it("answers 409 for a key already used in the workspace, and allows it in another", async () => {
    const res = await call("POST", "/v1/agents", textAgent("billing-bot"));
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({
      code: "conflict",
      message: 'key: an agent with key "billing-bot" already exists in this workspace',
      request_id: expect.stringMatching(/^req_/),
    });
    expect((await call("POST", "/v1/agents", textAgent("billing-bot"), h.b.apiKey)).status).toBe(201);
  });

  it("takes metric_ids of the workspace and answers 404 for any other, its own or another's alike", async () => {
    const mine = await call("POST", "/v1/metrics", {
      name: "Polite",
      kind: "judge",
      judge: "Was it polite?",
    });
    const theirs = await call("POST", "/v1/metrics", { name: "B", kind: "judge", judge: "?" }, h.b.apiKey);
    const ok = await call("POST", "/v1/agents", { ...textAgent("with-metric"), metric_ids: [mine.body.id] });
    expect(ok.status).toBe(201);
    expect(ok.body.metric_ids).toEqual([mine.body.id]);
    for (const id of [theirs.body.id, 999_999]) {
      const res = await call("POST", "/v1/agents", {
        ...textAgent("bad-metric"),
        metric_ids: [mine.body.id, id],
      });
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(`metric_ids: metric ${id} not found`);
    }
  });
});

describe("PATCH /v1/agents/{id}", () => {
  it("keeps an omitted text secret, replaces a given one and clears it on null", async () => {
    const { body: agent } = await call("POST", "/v1/agents", textAgent("patch-text"));
    const opened = async () => {
      const row = await getAgent(h.services.db, h.a.workspaceId, agent.id);
      return row && (await openAgentChannels(h.services.secrets, row)).text;
    };
    const kept = await call("PATCH", `/v1/agents/${agent.id}`, { name: "Renamed", text: { settle_ms: 50 } });
    expect(kept.status).toBe(200);
    expect(kept.body.name).toBe("Renamed");
    expect(kept.body.text).toEqual({ ...agent.text, settle_ms: 50 });
    expect((await opened())?.secret).toBe(TEXT_SECRET);

    await call("PATCH", `/v1/agents/${agent.id}`, { text: { secret: NEW_TEXT_SECRET } });
    expect((await opened())?.secret).toBe(NEW_TEXT_SECRET);

    const cleared = await call("PATCH", `/v1/agents/${agent.id}`, { text: { secret: null } });
    expect(cleared.body.text.secret_configured).toBe(false);
    expect((await opened())?.secret).toBeUndefined();
  });

  it("keeps an omitted LiveKit secret across a voice replacement and clears it on null", async () => {
    const { body: agent } = await call("POST", "/v1/agents", {
      name: "Voice",
      voice: {
        livekit: { mode: "manual", url: "wss://lk.example.com", token: TOKEN, api_secret: API_SECRET },
      },
    });
    const replaced = await call("PATCH", `/v1/agents/${agent.id}`, {
      voice: { livekit: { mode: "manual", url: "wss://lk2.example.com", token: null } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.voice.livekit).toEqual({
      mode: "manual",
      url: "wss://lk2.example.com",
      api_secret_configured: true,
      token_configured: false,
    });
    const row = await getAgent(h.services.db, h.a.workspaceId, agent.id);
    if (!row) throw new Error("the agent was not stored");
    expect((await openAgentChannels(h.services.secrets, row)).voice?.livekit).toEqual({
      mode: "manual",
      url: "wss://lk2.example.com",
      api_secret: API_SECRET,
    });
  });

  it("adds a text channel only with its secret, and refuses to remove the last channel", async () => {
    const { body: agent } = await call("POST", "/v1/agents", {
      name: "Voice only",
      voice: { livekit: { mode: "client", bot_runner_url: "https://runner.example.com/start" } },
    });
    const noSecret = await call("PATCH", `/v1/agents/${agent.id}`, {
      text: { url: "wss://bot.example.com/ws" },
    });
    expect(noSecret.status).toBe(400);
    expect(noSecret.body.error.message).toBe(
      "text.secret: is required (string) when the agent gets a text channel",
    );
    const noUrl = await call("PATCH", `/v1/agents/${agent.id}`, { text: { secret: TEXT_SECRET } });
    expect(noUrl.body.error.message).toBe("text.url: is required (string)");
    const both = await call("PATCH", `/v1/agents/${agent.id}`, {
      voice: null,
      text: { url: "wss://b.example.com/ws", secret: TEXT_SECRET },
    });
    expect(both.status).toBe(200);
    expect(both.body.voice).toBeNull();
    expect(both.body.text.secret_configured).toBe(true);
    const none = await call("PATCH", `/v1/agents/${agent.id}`, { text: null });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toBe("(root): an agent needs a channel: keep text, voice or both");
  });

  it("answers 409 for a taken key, 404 for an unknown metric, and checks URLs", async () => {
    const { body: agent } = await call("POST", "/v1/agents", textAgent("patch-errors"));
    const taken = await call("PATCH", `/v1/agents/${agent.id}`, { key: "billing-bot" });
    expect(taken.status).toBe(409);
    expect((await call("PATCH", `/v1/agents/${agent.id}`, { metric_ids: [999_999] })).status).toBe(404);
    const url = await call("PATCH", `/v1/agents/${agent.id}`, { text: { url: "wss://192.168.1.9/ws" } });
    expect(url.body.error.message).toBe(
      "text.url: host 192.168.1.9 is a private address, refused by outbound policy loopback",
    );
    const key = await call("PATCH", `/v1/agents/${agent.id}`, { key: null });
    expect(key.body.key).toBeNull();
  });
});

describe("listing, reading and deleting agents", () => {
  it("lists newest first in pages, and refuses a bad limit or cursor", async () => {
    const all = await call("GET", "/v1/agents");
    expect(all.status).toBe(200);
    expect(all.body.next_cursor).toBeNull();
    const ids = all.body.data.map((a: { id: number }) => a.id);
    // Every shape made above (text, each LiveKit mode, cleared secrets) is the documented one.
    for (const agent of all.body.data) agentViewSchema.parse(agent);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    const first = await call("GET", "/v1/agents?limit=2");
    expect(first.body.data.map((a: { id: number }) => a.id)).toEqual(ids.slice(0, 2));
    const second = await call("GET", `/v1/agents?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.data.map((a: { id: number }) => a.id)).toEqual(ids.slice(2, 4));
    expect((await call("GET", "/v1/agents?limit=101")).body.error.message).toBe(
      "limit: must be an integer from 1 to 100",
    );
    expect((await call("GET", "/v1/agents?cursor=nope!")).status).toBe(400);
  });

  it("answers another workspace's agent exactly like a missing one", async () => {
    const { body: agent } = await call("POST", "/v1/agents", textAgent("tenancy"));
    for (const [method, body] of [["GET"], ["PATCH", { name: "x" }], ["DELETE"]] as const) {
      const res = await call(method, `/v1/agents/${agent.id}`, body, h.b.apiKey);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(`agent ${agent.id} not found`);
    }
    const theirs = await call("GET", "/v1/agents", undefined, h.b.apiKey);
    expect(theirs.body.data.map((a: { id: number }) => a.id)).not.toContain(agent.id);
  });

  it("deletes with 204, then answers 404; a path id that is no id is a 404 too", async () => {
    const { body: agent } = await call("POST", "/v1/agents", textAgent("to-delete"));
    const del = await call("DELETE", `/v1/agents/${agent.id}`);
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    expect((await call("GET", `/v1/agents/${agent.id}`)).status).toBe(404);
    expect((await call("DELETE", `/v1/agents/${agent.id}`)).status).toBe(404);
    const bad = await call("GET", "/v1/agents/abc");
    expect([bad.status, bad.body.error.code, bad.body.error.message]).toEqual([
      404,
      "not_found",
      "agent abc not found",
    ]);
  });

  it("answers no configured secret in any response or log line", () => {
    expect(h.bodies.length).toBeGreaterThan(30);
    expect(findSecrets(h.bodies.join("\n"), SECRETS)).toEqual([]);
    expect(findSecrets(JSON.stringify(h.logs), SECRETS)).toEqual([]);
  });
});
