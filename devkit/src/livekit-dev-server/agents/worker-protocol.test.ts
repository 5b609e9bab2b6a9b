import {
  type AvailabilityRequest,
  AvailabilityResponse,
  type JobAssignment,
  type JobTermination,
  JobType,
  RegisterWorkerRequest,
  type RegisterWorkerResponse,
  ServerMessage,
  UpdateWorkerStatus,
  WorkerMessage,
  WorkerPing,
  type WorkerPong,
  WorkerStatus,
} from "@livekit/protocol";
import { AccessToken, AgentDispatchClient, RoomServiceClient, TokenVerifier } from "livekit-server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type ApiTestServer, startApiTestServer, TEST_KEY, TEST_SECRET } from "../twirp/test-api-server.ts";

type ServerCase = NonNullable<ServerMessage["message"]["case"]>;

/** A hand-driven worker speaking the same frames as agents-js, to test each protocol step. */
class RawWorker {
  readonly inbox: ServerMessage[] = [];
  #waiters: (() => void)[] = [];
  closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      this.inbox.push(ServerMessage.fromBinary(data));
      for (const w of this.#waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) =>
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static async connect(
    server: ApiTestServer,
    grant: { agent?: boolean } = { agent: true },
  ): Promise<RawWorker> {
    const at = new AccessToken(TEST_KEY, TEST_SECRET, { ttl: 60 });
    at.addGrant(grant);
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/agent`, {
      headers: { authorization: `Bearer ${await at.toJwt()}` },
    });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    return new RawWorker(ws);
  }

  send(message: WorkerMessage["message"]): void {
    this.ws.send(new WorkerMessage({ message }).toBinary());
  }

  async register(agentName: string): Promise<string> {
    this.send({
      case: "register",
      value: new RegisterWorkerRequest({ agentName, type: JobType.JT_ROOM, version: "test" }),
    });
    const reply = await this.next("register");
    return reply.workerId;
  }

  /** Waits for the next server message of a kind (earlier ones of other kinds are kept). */
  next(kind: "register", timeoutMs?: number): Promise<RegisterWorkerResponse>;
  next(kind: "availability", timeoutMs?: number): Promise<AvailabilityRequest>;
  next(kind: "assignment", timeoutMs?: number): Promise<JobAssignment>;
  next(kind: "termination", timeoutMs?: number): Promise<JobTermination>;
  next(kind: "pong", timeoutMs?: number): Promise<WorkerPong>;
  async next(kind: ServerCase, timeoutMs = 3000): Promise<ServerMessage["message"]["value"]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex((m) => m.message.case === kind);
      const found = i >= 0 ? this.inbox.splice(i, 1)[0] : undefined;
      if (found) return found.message.value;
      if (Date.now() > deadline) throw new Error(`no ${kind} message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }
}

let server: ApiTestServer;
let dispatch: AgentDispatchClient;
const workers: RawWorker[] = [];

beforeEach(async () => {
  server = await startApiTestServer({ limits: { availabilityTimeoutMs: 500, registerTimeoutMs: 500 } });
  dispatch = new AgentDispatchClient(server.url, TEST_KEY, TEST_SECRET);
});
afterEach(async () => {
  for (const w of workers.splice(0)) w.ws.terminate();
  await server.close();
});

async function worker(): Promise<RawWorker> {
  const w = await RawWorker.connect(server);
  workers.push(w);
  return w;
}

describe("/agent worker protocol", () => {
  it("registers a worker, offers it an explicit dispatch and assigns the job with a scoped agent token", async () => {
    const w = await worker();
    const workerId = await w.register("support-bot");
    expect(workerId).toMatch(/^AW_/);
    const created = await dispatch.createDispatch("call-7", "support-bot", { metadata: '{"k":1}' });
    const offer = await w.next("availability");
    expect(offer.job?.dispatchId).toBe(created.id);
    expect(offer.job?.agentName).toBe("support-bot");
    expect(offer.job?.metadata).toBe('{"k":1}');
    expect(offer.job?.room?.name).toBe("call-7");
    expect(offer.job?.id).toMatch(/^AJ_/);
    const jobId = offer.job?.id ?? "";
    w.send({
      case: "availability",
      value: new AvailabilityResponse({
        jobId,
        available: true,
        participantIdentity: "agent-7",
        participantName: "Bot",
      }),
    });
    const assignment = await w.next("assignment");
    expect(assignment.job?.id).toBe(jobId);
    expect(assignment.url).toBe(server.url.replace("http", "ws"));
    const claims = await new TokenVerifier(TEST_KEY, TEST_SECRET).verify(assignment.token);
    expect(claims.sub).toBe("agent-7");
    expect(claims.name).toBe("Bot");
    expect(claims.kind).toBe("agent");
    expect(claims.video).toMatchObject({ roomJoin: true, room: "call-7", agent: true });
    expect(claims.video?.roomAdmin).toBeUndefined();
    const listed = await dispatch.listDispatch("call-7");
    expect(listed[0]?.state?.jobs[0]?.state?.participantIdentity).toBe("agent-7");
    expect(listed[0]?.state?.jobs[0]?.state?.workerId).toBe(workerId);
  });

  it("answers ping with pong carrying the worker's timestamp", async () => {
    const w = await worker();
    await w.register("");
    w.send({ case: "ping", value: new WorkerPing({ timestamp: 123456789n }) });
    const pong = await w.next("pong");
    expect(pong.lastTimestamp).toBe(123456789n);
    expect(pong.timestamp).toBeGreaterThan(0n);
  });

  it("dispatches every new room to an unnamed worker (automatic dispatch), not to named ones", async () => {
    const named = await worker();
    await named.register("only-explicit");
    const auto = await worker();
    await auto.register("");
    await new RoomServiceClient(server.url, TEST_KEY, TEST_SECRET).createRoom({ name: "lobby" });
    const offer = await auto.next("availability");
    expect(offer.job?.room?.name).toBe("lobby");
    expect(offer.job?.dispatchId).toBe("");
    expect(named.inbox.filter((m) => m.message.case === "availability")).toEqual([]);
  });

  it("offers a declined job to the next worker, and a timed-out one too", async () => {
    const first = await worker();
    await first.register("bot");
    const second = await worker();
    await second.register("bot");
    const third = await worker();
    await third.register("bot");
    await dispatch.createDispatch("call-1", "bot");
    // Whoever gets it first declines; the second silently times out; the third gets it.
    const holders = [first, second, third];
    const offered = async () => {
      for (;;) {
        for (const w of holders) {
          if (w.inbox.some((m) => m.message.case === "availability")) return w;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const a = await offered();
    const offer = await a.next("availability");
    a.send({
      case: "availability",
      value: new AvailabilityResponse({ jobId: offer.job?.id ?? "", available: false }),
    });
    holders.splice(holders.indexOf(a), 1);
    const b = await offered();
    await b.next("availability");
    holders.splice(holders.indexOf(b), 1);
    const c = holders[0];
    if (!c) throw new Error("unreachable");
    const last = await c.next("availability", 2000);
    expect(last.job?.id).toBe(offer.job?.id);
  });

  it("keeps a job pending until a matching worker registers or becomes available", async () => {
    await dispatch.createDispatch("early", "late-bot");
    const w = await worker();
    w.send({ case: "register", value: new RegisterWorkerRequest({ agentName: "late-bot" }) });
    await w.next("register");
    const offer = await w.next("availability");
    expect(offer.job?.room?.name).toBe("early");
    w.send({
      case: "availability",
      value: new AvailabilityResponse({ jobId: offer.job?.id ?? "", available: false }),
    });
    // Declined by the only worker: it is not asked again until it reports availability anew.
    w.send({ case: "updateWorker", value: new UpdateWorkerStatus({ status: WorkerStatus.WS_FULL }) });
    await dispatch.createDispatch("early-2", "late-bot");
    await new Promise((r) => setTimeout(r, 100));
    expect(w.inbox.filter((m) => m.message.case === "availability")).toEqual([]);
    w.send({ case: "updateWorker", value: new UpdateWorkerStatus({ status: WorkerStatus.WS_AVAILABLE }) });
    expect((await w.next("availability")).job?.room?.name).toBe("early-2");
  });

  it("terminates the job when its dispatch is deleted", async () => {
    const w = await worker();
    await w.register("bot");
    const d = await dispatch.createDispatch("call-1", "bot");
    const offer = await w.next("availability");
    const jobId = offer.job?.id ?? "";
    w.send({ case: "availability", value: new AvailabilityResponse({ jobId, available: true }) });
    await w.next("assignment");
    await dispatch.deleteDispatch(d.id, "call-1");
    expect((await w.next("termination")).jobId).toBe(jobId);
  });
});

describe("/agent against hostile clients", () => {
  async function refusedStatus(headers: Record<string, string>): Promise<number> {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/agent`, { headers });
    return new Promise((resolve, reject) => {
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("open", () => reject(new Error("upgrade should have been refused")));
      ws.on("error", () => undefined);
    });
  }

  it("refuses connections without a token or without the agent grant", async () => {
    expect(await refusedStatus({})).toBe(401);
    expect(await refusedStatus({ authorization: "Bearer garbage" })).toBe(401);
    const noAgent = new AccessToken(TEST_KEY, TEST_SECRET, { ttl: 60, identity: "x" });
    noAgent.addGrant({ roomJoin: true, room: "r" });
    expect(await refusedStatus({ authorization: `Bearer ${await noAgent.toJwt()}` })).toBe(401);
  });

  it("closes on text frames, garbage protobuf, messages before register, a second register and huge frames", async () => {
    const text = await worker();
    text.ws.send("hello");
    expect((await text.closed).code).toBe(1003);

    const garbage = await worker();
    garbage.ws.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect((await garbage.closed).code).toBe(1007);

    const early = await worker();
    early.send({ case: "availability", value: new AvailabilityResponse({ jobId: "AJ_x", available: true }) });
    expect((await early.closed).code).toBe(1008);

    const twice = await worker();
    await twice.register("a");
    twice.send({ case: "register", value: new RegisterWorkerRequest({ agentName: "b" }) });
    expect((await twice.closed).code).toBe(1008);

    const huge = await worker();
    huge.ws.send(Buffer.alloc(1024 * 1024, 1));
    expect((await huge.closed).code).toBe(1009);

    const silent = await worker();
    expect((await silent.closed).code).toBe(1008);

    // The server still serves after all of that.
    const ok = await worker();
    expect(await ok.register("still-fine")).toMatch(/^AW_/);
    expect(server.agents.workers().map((x) => x.agentName)).toEqual(["still-fine"]);
  });

  it("ignores availability answers for jobs it never offered to that worker", async () => {
    const honest = await worker();
    await honest.register("bot");
    const forger = await worker();
    await forger.register("other");
    await dispatch.createDispatch("call-1", "bot");
    const offer = await honest.next("availability");
    forger.send({
      case: "availability",
      value: new AvailabilityResponse({ jobId: offer.job?.id ?? "", available: true }),
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(forger.inbox.filter((m) => m.message.case === "assignment")).toEqual([]);
    honest.send({
      case: "availability",
      value: new AvailabilityResponse({ jobId: offer.job?.id ?? "", available: true }),
    });
    expect((await honest.next("assignment")).job?.id).toBe(offer.job?.id);
  });
});
