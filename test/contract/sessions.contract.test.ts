/**
 * The gateway contract, sessions and Cekura's read: `POST|DELETE /v1/sessions/livekit` against
 * the repo's LiveKit dev server on 127.0.0.1 (the gateway's livekit-server-sdk and the test's
 * speak its Twirp API), and `GET /test_framework/v1/runs/bulk/` over runs of the reference text
 * agent, with the key as `X-CEKURA-API-KEY`. HTTP only, so it runs on Node and on Workers.
 */

import { type LiveKitDevServer, startLiveKitDevServer } from "@spar/devkit/livekit-dev-server";
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { findSecrets } from "@spar/gateway";
import { cekuraRunSchema, livekitSessionSchema } from "@spar/protocol";
import { AgentDispatchClient, RoomServiceClient, TokenVerifier } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ContractClient,
  contractClient,
  createWorkspace,
  expectError,
  pollUntil,
} from "./contract-client.ts";
import { type RunningTarget, TARGETS } from "./gateway-targets.ts";

const ADMIN = "sessions-admin-token-0123456789";
const LK_KEY = "contract-lk-key";
const LK_SECRET = "contract-lk-secret-that-is-long-enough-0123";
const AGENT_SECRET = "sessions-agent-secret-7a21";

describe.each(TARGETS)("gateway contract on $name: LiveKit sessions and Cekura's bulk read", (target) => {
  let gw: RunningTarget;
  let lk: LiveKitDevServer;
  let textAgent: ReferenceTextAgent;
  let client: ContractClient;
  let other: { workspace_id: number; user_id: number; api_key: string };
  let rooms: RoomServiceClient;
  const call: ContractClient["call"] = (...args) => client.call(...args);

  beforeAll(async () => {
    lk = await startLiveKitDevServer({ keys: new Map([[LK_KEY, LK_SECRET]]), autoCreateRooms: false });
    rooms = new RoomServiceClient(lk.httpUrl, LK_KEY, LK_SECRET);
    textAgent = await startReferenceTextAgent({ port: 0, secret: AGENT_SECRET });
    gw = await target.start({ SPAR_ADMIN_TOKEN: ADMIN, SPAR_OUTBOUND_POLICY: "loopback" });
    client = contractClient(gw);
    other = await createWorkspace(gw, ADMIN, "other");
  });
  afterAll(async () => {
    await gw.close();
    await textAgent.close();
    await lk.close();
  });

  async function agent(body: Record<string, unknown>, key = gw.apiKey): Promise<number> {
    const res = await call("POST", "/v1/agents", { name: "Front desk", ...body }, { key });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  }
  const rubric = { mode: "rubric", api_key: LK_KEY, api_secret: LK_SECRET, agent_name: "front-desk" };

  it("refuses a session at each step in order: 401, 404 (another workspace's too), 400 text-only, 400 not rubric", async () => {
    const voice = await agent({ voice: { livekit: { ...rubric, url: lk.url } } });
    const theirs = await agent({ voice: { livekit: { ...rubric, url: lk.url } } }, other.api_key);
    const textOnly = await agent({ text: { url: `${textAgent.url}/echo`, secret: AGENT_SECRET } });
    const client = await agent({
      voice: { livekit: { mode: "client", bot_runner_url: "http://127.0.0.1:9/r" } },
    });
    expectError(
      await call(
        "POST",
        "/v1/sessions/livekit",
        { agent_id: voice },
        { key: "spar_AAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
      ),
      401,
      "unauthorized",
    );
    expectError(
      await call("POST", "/v1/sessions/livekit", { agent_id: theirs }),
      404,
      "not_found",
      `agent_id: no agent ${theirs}`,
    );
    expectError(
      await call("POST", "/v1/sessions/livekit", { agent_id: textOnly }),
      400,
      "bad_request",
      `agent_id: agent ${textOnly} has no voice channel; text-only agents cannot take voice calls`,
    );
    expectError(
      await call("POST", "/v1/sessions/livekit", { agent_id: client }),
      400,
      "bad_request",
      /LiveKit mode is client: its bot runner creates the rooms/,
    );
    expect(await rooms.listRooms()).toEqual([]);
  });

  it("creates the room, dispatches the agent and answers a 1-hour token; DELETE removes the room, another tenant's DELETE is 404", async () => {
    const id = await agent({ voice: { livekit: { ...rubric, url: lk.url } } });
    const before = Math.floor(Date.now() / 1000);
    const res = await call("POST", "/v1/sessions/livekit", { agent_id: id });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const session = livekitSessionSchema.strict().parse(res.body);
    expect(session.room_name).toMatch(new RegExp(`^agent_${id}_[1-9][0-9]*_[0-9]{13}$`));
    expect({ url: session.livekit_url, name: session.agent_name }).toEqual({
      url: lk.url,
      name: "Front desk",
    });
    const claims = await new TokenVerifier(LK_KEY, LK_SECRET).verify(session.token);
    const { iat, exp } = claims as { iat: number; exp: number };
    expect(exp - iat).toBe(3600);
    expect(iat).toBeGreaterThanOrEqual(before);
    expect(claims.video).toEqual({
      room: session.room_name,
      roomJoin: true,
      canPublish: true,
      canSubscribe: true,
    });
    expect(session.room_name.split("_")[2]).toBe(claims.sub);

    expect((await rooms.listRooms()).map((r) => r.name)).toEqual([session.room_name]);
    const dispatched = await new AgentDispatchClient(lk.httpUrl, LK_KEY, LK_SECRET).listDispatch(
      session.room_name,
    );
    expect(dispatched.map((d) => [d.agentName, JSON.parse(d.metadata)])).toEqual([
      [
        "front-desk",
        { spar_session: { room_name: session.room_name, agent_id: id, user_id: Number(claims.sub) } },
      ],
    ]);

    expectError(
      await call("DELETE", `/v1/sessions/livekit/${session.room_name}`, undefined, { key: other.api_key }),
      404,
      "not_found",
    );
    expect((await rooms.listRooms()).map((r) => r.name)).toEqual([session.room_name]);
    expect((await call("DELETE", `/v1/sessions/livekit/${session.room_name}`)).status).toBe(204);
    expect(await rooms.listRooms()).toEqual([]);
    expect(client.answers.join("\n")).not.toContain(LK_SECRET);
  });

  it("answers 500 with LiveKit's answer when it rejects the credentials, leaving no room", async () => {
    const id = await agent({
      voice: { livekit: { ...rubric, url: lk.url, api_secret: "wrong-secret-that-is-long-enough-0123456" } },
    });
    expectError(
      await call("POST", "/v1/sessions/livekit", { agent_id: id }),
      500,
      "internal",
      /^the LiveKit room could not be created: LiveKit answered 401 unauthenticated: /,
    );
    expect(await rooms.listRooms()).toEqual([]);
    expect(findSecrets(gw.logs.join("\n"), [LK_SECRET, "wrong-secret-that-is-long-enough-0123456"])).toEqual(
      [],
    );
  });

  it("reads runs in Cekura's shape with X-CEKURA-API-KEY, leaving out another workspace's", async () => {
    const upserted = await call("PUT", "/v1/suites", {
      version: 1,
      agent: {
        id: "cekura-echo",
        text: { url: `${textAgent.url}/echo`, secret: AGENT_SECRET, settle_ms: 20 },
      },
      scenarios: [{ id: "ping", script: [{ say: "ping" }, { expect: "/said: ping/" }] }],
    });
    expect(upserted.status).toBe(200);
    const started = await call("POST", "/v1/test-runs", {
      agent_id: upserted.body.agent_id,
      scenario_ids: [upserted.body.scenarios[0].id],
    });
    expect(started.status).toBe(201);
    const testRunId = started.body.test_run_id;
    await pollUntil(
      () => call("GET", `/v1/test-runs/${testRunId}`),
      (r) => r.body.status === "done",
    );
    const runs = await call("GET", `/v1/runs?test_run_id=${testRunId}`);
    const runId: number = runs.body.data[0].id;

    const mine = await call("GET", `/test_framework/v1/runs/bulk/?run_ids=${runId},999999`, undefined, {
      key: "",
      headers: { "X-CEKURA-API-KEY": gw.apiKey, "X-API-Key": gw.apiKey },
    });
    expect(mine.status).toBe(200);
    expect(mine.body).toHaveLength(1);
    const run = cekuraRunSchema.strict().parse(mine.body[0]);
    expect({ ...run, transcript_object: run.transcript_object.map((e) => [e.role, e.content]) }).toEqual({
      id: runId,
      scenario: upserted.body.scenarios[0].id,
      scenario_name: "ping",
      agent: upserted.body.agent_id,
      success: true,
      status: "completed",
      transcript_object: [
        ["Testing Agent", "ping"],
        ["Main Agent", "You said: ping"],
      ],
      voice_recording_url: null,
      error_message: null,
    });
    const cekuraOnly = await fetch(`${gw.baseUrl}/test_framework/v1/runs/bulk/?run_ids=${runId}`, {
      headers: { "X-CEKURA-API-KEY": gw.apiKey },
    });
    expect(cekuraOnly.status).toBe(200);
    const theirs = await call("GET", `/test_framework/v1/runs/bulk/?run_ids=${runId}`, undefined, {
      key: other.api_key,
    });
    expect(theirs.body).toEqual([]);
  });
});
