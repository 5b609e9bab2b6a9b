import { randomBytes } from "node:crypto";
import {
  AddTrackRequest,
  MuteTrackRequest,
  Ping,
  SessionDescription,
  TrackType,
  TrickleRequest,
} from "@livekit/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LiveKitDevServer, startLiveKitDevServer } from "./server.ts";
import { RawSignalClient } from "./testing/raw-signal-client.ts";
import { tokenFor } from "./testing/rtc-participant.ts";

// Signalling only (no ICE), so this runs on loopback in the default project.
let server: LiveKitDevServer;
const access = { url: "", apiKey: "devkey", apiSecret: "hostile-test-secret-0123456789" };

beforeAll(async () => {
  server = await startLiveKitDevServer({
    keys: new Map([[access.apiKey, access.apiSecret]]),
    iceIp: "127.0.0.1",
  });
  access.url = server.url;
});

afterAll(async () => {
  await server?.close();
});

async function joined(room: string, identity: string): Promise<RawSignalClient> {
  const c = await RawSignalClient.connect(
    server.url,
    await tokenFor(access, identity, { roomJoin: true, room }),
  );
  await c.next("join");
  return c;
}

async function stillServes(): Promise<void> {
  const c = await joined("health", `probe-${Math.random()}`);
  c.send({ case: "pingReq", value: new Ping({ timestamp: 42n }) });
  expect((await c.next("pongResp")).lastPingTimestamp).toBe(42n);
  c.close();
}

describe("hostile signalling clients", () => {
  it("answers /rtc/v1 with 404 so rtc-node falls back, and refuses /rtc without a token", async () => {
    await expect(RawSignalClient.connect(server.url, "x", "/rtc/v1")).rejects.toThrow(/HTTP 404/);
    await expect(RawSignalClient.connect(server.url, "")).rejects.toThrow(/HTTP 401: no access token/);
    const res = await fetch(`${server.httpUrl}/rtc/validate`, {
      headers: { authorization: "Bearer not.a.jwt" },
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toMatch(/not a JWT/);
  });

  it("closes a connection that sends an undecodable frame, and only that one", async () => {
    const bystander = await joined("garbage", "bystander");
    const bad = await joined("garbage", "bad");
    bad.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect((await bad.closed).code).toBe(1007);
    bystander.send({ case: "pingReq", value: new Ping({ timestamp: 7n }) });
    expect((await bystander.next("pongResp")).lastPingTimestamp).toBe(7n);
    bystander.close();
  });

  it("closes on text frames and on frames over the size limit", async () => {
    const text = await joined("frames", "text");
    text.sendRaw("hello", false);
    expect((await text.closed).code).toBe(1003);
    const huge = await joined("frames", "huge");
    huge.sendRaw(randomBytes(300 * 1024));
    expect((await huge.closed).code).toBe(1009);
    await stillServes();
  });

  it("answers pings while negotiating, ignores nonsense trickles and ends a session fed nonsense SDP", async () => {
    const c = await joined("order", "chaos");
    const bystander = await joined("order", "bystander");
    c.send({ case: "trickle", value: new TrickleRequest({ candidateInit: "{not json", target: 0 }) });
    c.send({
      case: "trickle",
      value: new TrickleRequest({ candidateInit: JSON.stringify({ candidate: 5 }), target: 1 }),
    });
    c.send({ case: "mute", value: new MuteTrackRequest({ sid: "TR_missing", muted: true }) });
    c.send({ case: "answer", value: new SessionDescription({ type: "answer", sdp: "v=0 nonsense" }) });
    c.send({ case: "pingReq", value: new Ping({ timestamp: 9n }) });
    expect((await c.next("pongResp")).lastPingTimestamp).toBe(9n);
    expect((await c.next("leave", 5_000)).canReconnect).toBe(false);
    expect((await c.closed).code).toBe(1011);
    bystander.send({ case: "pingReq", value: new Ping({ timestamp: 10n }) });
    expect((await bystander.next("pongResp")).lastPingTimestamp).toBe(10n);
    bystander.close();
    await stillServes();
  });

  it("keeps a session that trickles hundreds of TCP candidates at once, as rtc-node does", async () => {
    const c = await joined("tcp-burst", "libwebrtc");
    // libwebrtc sent 232 TCP candidates (and 18 UDP) within a second in a three-party room;
    // werift cannot pair any of them, so they must not fill the 256-request signal queue.
    for (let i = 0; i < 300; i++) {
      const candidate = `candidate:${i} 1 tcp 1518280447 10.77.0.1 ${40_000 + i} typ host tcptype passive generation 0`;
      c.send({
        case: "trickle",
        value: new TrickleRequest({
          candidateInit: JSON.stringify({ candidate, sdpMid: "0", sdpMLineIndex: 0 }),
          target: 0,
        }),
      });
    }
    c.send({ case: "pingReq", value: new Ping({ timestamp: 11n }) });
    expect((await c.next("pongResp")).lastPingTimestamp).toBe(11n);
    const other = await joined("tcp-burst", "other");
    expect(server.registry.listParticipants("tcp-burst").map((p) => p.identity)).toEqual([
      "libwebrtc",
      "other",
    ]);
    other.close();
    c.close();
  });

  it("ends a session whose offer is not SDP", async () => {
    const c = await joined("order", "bad-offer");
    c.send({ case: "offer", value: new SessionDescription({ type: "offer", sdp: "not sdp at all" }) });
    expect((await c.next("leave", 5_000)).canReconnect).toBe(false);
    expect((await c.closed).reason).toMatch(/invalid offer: SDP must start with v=0/);
    await stillServes();
  });

  it("caps the tracks one participant may announce", async () => {
    const c = await joined("flood", "flooder");
    for (let i = 0; i < 40; i++) {
      c.send({ case: "addTrack", value: new AddTrackRequest({ cid: `c${i}`, type: TrackType.AUDIO }) });
    }
    let published = 0;
    try {
      for (;;) {
        await c.next("trackPublished", 500);
        published += 1;
      }
    } catch {
      // no more
    }
    expect(published).toBe(16);
    c.close();
  });

  it("stays up through a burst of random frames from many clients", async () => {
    const clients = await Promise.all([0, 1, 2, 3, 4].map((i) => joined("fuzz", `fuzz-${i}`)));
    for (let round = 0; round < 40; round++) {
      for (const c of clients) c.sendRaw(randomBytes(1 + Math.floor(Math.random() * 2000)));
    }
    await Promise.all(clients.map((c) => c.closed));
    await stillServes();
  });

  it("keeps the room consistent when a client vanishes without leaving", async () => {
    const a = await joined("vanish", "a");
    const b = await joined("vanish", "b");
    expect(server.registry.listParticipants("vanish").map((p) => p.identity)).toEqual(["a", "b"]);
    b.terminate();
    let bState = -1;
    while (bState !== 3) {
      const update = await a.next("update");
      bState = update.participants.find((p) => p.identity === "b")?.state ?? bState;
    }
    expect(server.registry.listParticipants("vanish").map((p) => p.identity)).toEqual(["a"]);
    a.close();
  });
});
