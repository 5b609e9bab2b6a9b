/**
 * For the session route tests: the real app (route-harness) whose LiveKit ports are the real
 * livekit-server-sdk adapter and session-endpoint caller, the repo's LiveKit dev server on
 * 127.0.0.1, and a bot session endpoint on loopback that records each call and answers as told.
 * `useSessionHarness()` registers the hooks and answers the context the tests read.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type LiveKitDevServer, startLiveKitDevServer } from "@spar/devkit/livekit-dev-server";
import { AgentDispatchClient, RoomServiceClient } from "livekit-server-sdk";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { checkUrlAtConnect } from "../../security/outbound-url.ts";
import { type LivekitRoomAdmin, sdkLivekitRoomAdmin } from "../../voice/livekit-admin.ts";
import { observeSessionWithSidecar } from "../../voice/livekit-sessions-observer.ts";
import { httpSessionEndpointCaller } from "../../voice/session-endpoint.ts";
import type { StartedSession } from "../../voice/session-ports.ts";
import { type RouteHarness, startRouteHarness } from "./route-harness.fixture.ts";

export const LK_KEY = "sessions-test-key";
export const LK_SECRET = "sessions-test-secret-that-is-long-enough-0123";
// A whole second near the wall clock: the SDK's TokenVerifier checks exp and nbf against it.
export const NOW_MS = Math.floor(Date.now() / 1000) * 1000;

export interface HarnessOptions {
  credits?: boolean;
  /** The outbound policy at connect (the app saves under `loopback`). */
  policy?: "public" | "loopback";
  /** Wraps the real room admin, e.g. with a hand-written failure. */
  rooms?: (real: LivekitRoomAdmin) => LivekitRoomAdmin;
  /** Wire the real observer hook (livekit-sessions-observer.ts) instead of the recording stub. */
  observe?: boolean;
}

export interface SessionContext {
  h: RouteHarness;
  lk: LiveKitDevServer;
  rooms: RoomServiceClient;
  dispatches: AgentDispatchClient;
  endpointUrl: string;
  endpointCalls: { path: string; body: string }[];
  endpointAnswer: (body: { room_name: string }) => { status: number; json: unknown };
  /** Every session the app reported started (the onSessionStarted hook). */
  started: StartedSession[];
  /** Closes the app and starts a new one (new database) with these options. */
  restart(o: HarnessOptions): Promise<void>;
  rubric(extra?: Record<string, unknown>): Record<string, unknown>;
  /** Creates an agent (voice channel, or `null` for a text-only one); answers its id. */
  agent(voice: unknown, key?: string, name?: string): Promise<number>;
  start(agentId: unknown, key?: string): ReturnType<RouteHarness["call"]>;
}

/** The token's claims as sent (no verification: the tests verify with the SDK separately). */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
}

const TEXT = { text: { url: "ws://127.0.0.1:9/ws", secret: "s" } };

export function useSessionHarness(): SessionContext {
  let endpoint: Server;
  const s = {
    endpointCalls: [],
    started: [],
  } as unknown as SessionContext;

  async function harness(o: HarnessOptions = {}): Promise<RouteHarness> {
    s.started = [];
    const check = async (url: string) => {
      const result = await checkUrlAtConnect(url, o.policy ?? "loopback", { resolve: async () => [] });
      return result.ok ? undefined : result.message;
    };
    return startRouteHarness({
      now: () => NOW_MS,
      credits: { enabled: o.credits ?? false, textRunCost: 1, voiceRunCost: 10 },
      livekit: {
        rooms: (o.rooms ?? ((real) => real))(sdkLivekitRoomAdmin(check)),
        callSessionEndpoint: httpSessionEndpointCaller({ fetch, checkUrl: check }),
        onSessionStarted: async (session) => {
          s.started.push(session);
          if (o.observe) return observeSessionWithSidecar(s.h.services, session);
          return { observed: false, reason: "the harness observes nothing" };
        },
      },
    });
  }
  s.restart = async (o) => {
    await s.h.close();
    s.h = await harness(o);
  };
  s.rubric = (extra = {}) => ({
    mode: "rubric",
    url: s.lk.url,
    api_key: LK_KEY,
    api_secret: LK_SECRET,
    ...extra,
  });
  s.agent = async (voice, key = s.h.a.apiKey, name = "Front desk") => {
    const res = await s.h.call("POST", "/v1/agents", { name, ...(voice === null ? TEXT : { voice }) }, key);
    expect(res.status).toBe(201);
    return res.body.id;
  };
  s.start = (agentId, key = s.h.a.apiKey) =>
    s.h.call("POST", "/v1/sessions/livekit", { agent_id: agentId }, key);

  beforeAll(async () => {
    s.lk = await startLiveKitDevServer({ keys: new Map([[LK_KEY, LK_SECRET]]), autoCreateRooms: false });
    s.rooms = new RoomServiceClient(s.lk.httpUrl, LK_KEY, LK_SECRET);
    s.dispatches = new AgentDispatchClient(s.lk.httpUrl, LK_KEY, LK_SECRET);
    endpoint = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => {
        body += chunk;
      });
      req.on("end", () => {
        s.endpointCalls.push({ path: req.url ?? "", body });
        const answer = s.endpointAnswer(JSON.parse(body) as { room_name: string });
        res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.json));
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
    s.endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/bot`;
  });
  afterAll(async () => {
    await s.lk.close();
    endpoint.closeAllConnections();
    await new Promise<void>((resolve) => endpoint.close(() => resolve()));
  });
  beforeEach(async () => {
    s.endpointCalls.length = 0;
    s.endpointAnswer = (body) => ({ status: 200, json: { status: "started", room_name: body.room_name } });
    s.h = await harness();
  });
  afterEach(async () => {
    await s.h.close();
    for (const room of await s.rooms.listRooms()) await s.rooms.deleteRoom(room.name);
  });
  return s;
}
