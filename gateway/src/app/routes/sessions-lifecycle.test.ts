/**
 * Sessions after their start: LiveKit failing once the room exists (a hand-written failure
 * around the real room admin), credits debited and refunded, and ending a session with DELETE,
 * against the repo's LiveKit dev server on 127.0.0.1.
 */
import { describe, expect, it } from "vitest";
import { addCredits, getCreditBalance } from "../../db/repositories/credits.ts";
import { getLivekitSession } from "../../db/repositories/livekit-sessions.ts";
import { LivekitAdminError, type LivekitRoomAdmin } from "../../voice/livekit-admin.ts";
import { NOW_MS, useSessionHarness } from "./session-harness.fixture.ts";

const s = useSessionHarness();

describe("LiveKit failing after the room exists", () => {
  const failing = (real: LivekitRoomAdmin, what: "createDispatch" | "deleteRoom"): LivekitRoomAdmin => ({
    ...real,
    [what]: async () => {
      throw new LivekitAdminError("LiveKit answered 503 unavailable: no agent workers");
    },
  });

  it("answers 500 naming LiveKit's answer and deletes the room when the dispatch fails", async () => {
    await s.restart({ rooms: (real) => failing(real, "createDispatch") });
    const id = await s.agent({ livekit: s.rubric({ agent_name: "desk" }) });
    expect(await s.start(id)).toMatchObject({
      status: 500,
      body: {
        error: {
          message: "the agent could not be dispatched: LiveKit answered 503 unavailable: no agent workers",
        },
      },
    });
    expect(await s.rooms.listRooms()).toEqual([]);
  });

  it("answers 502 and keeps the session open when LiveKit refuses to delete its room", async () => {
    await s.restart({ rooms: (real) => failing(real, "deleteRoom") });
    const id = await s.agent({ livekit: s.rubric({ agent_name: "desk" }) });
    const room = (await s.start(id)).body.room_name;
    expect(await s.h.call("DELETE", `/v1/sessions/livekit/${room}`)).toMatchObject({
      status: 502,
      body: {
        error: {
          code: "upstream_failed",
          message:
            "the session room could not be deleted: LiveKit answered 503 unavailable: no agent workers",
        },
      },
    });
    expect((await getLivekitSession(s.h.services.db, s.h.a.workspaceId, room))?.endedAtMs).toBeNull();
    expect((await s.rooms.listRooms()).map((r) => r.name)).toEqual([room]);
  });
});

describe("credits", () => {
  it("refuses with 402 when the balance is short, creating and debiting nothing", async () => {
    await s.restart({ credits: true });
    const id = await s.agent({ livekit: s.rubric({ agent_name: "desk" }) });
    await addCredits(s.h.services.db, s.h.a.workspaceId, 9, { reason: "test", nowMs: NOW_MS });
    expect(await s.start(id)).toMatchObject({
      status: 402,
      body: {
        error: { code: "payment_required", message: "a voice session costs 10 credits; the balance is 9" },
      },
    });
    expect(await s.rooms.listRooms()).toEqual([]);
    expect(await getCreditBalance(s.h.services.db, s.h.a.workspaceId)).toBe(9);
    expect(
      await getLivekitSession(s.h.services.db, s.h.a.workspaceId, `agent_${id}_${s.h.a.userId}_${NOW_MS}`),
    ).toBeUndefined();
  });

  it("debits a voice run's price for a session, and refunds it when the start fails", async () => {
    await s.restart({ credits: true });
    const ok = await s.agent({ livekit: s.rubric({ agent_name: "desk" }) });
    const failing = await s.agent({ livekit: s.rubric({ web_call_url: s.endpointUrl }) });
    await addCredits(s.h.services.db, s.h.a.workspaceId, 25, { reason: "test", nowMs: NOW_MS });
    expect((await s.start(ok)).status).toBe(200);
    expect(await getCreditBalance(s.h.services.db, s.h.a.workspaceId)).toBe(15);
    s.endpointAnswer = () => ({ status: 500, json: {} });
    expect((await s.start(failing)).status).toBe(500);
    expect(await getCreditBalance(s.h.services.db, s.h.a.workspaceId)).toBe(15);
  });
});

describe("DELETE /v1/sessions/livekit/{room_name}", () => {
  it("deletes the room and ends the session; another workspace's DELETE is a 404 that leaves it", async () => {
    const id = await s.agent({ livekit: s.rubric({ agent_name: "desk" }) });
    const room = (await s.start(id)).body.room_name;
    expect(await s.h.call("DELETE", `/v1/sessions/livekit/${room}`, undefined, s.h.b.apiKey)).toMatchObject({
      status: 404,
      body: { error: { message: `session ${room} not found` } },
    });
    expect((await s.rooms.listRooms()).map((r) => r.name)).toEqual([room]);

    expect((await s.h.call("DELETE", `/v1/sessions/livekit/${room}`)).status).toBe(204);
    expect(await s.rooms.listRooms()).toEqual([]);
    expect((await getLivekitSession(s.h.services.db, s.h.a.workspaceId, room))?.endedAtMs).toBe(NOW_MS);
    expect((await s.h.call("DELETE", `/v1/sessions/livekit/${room}`)).status).toBe(204);
    expect((await s.h.call("DELETE", "/v1/sessions/livekit/agent_1_1_1")).status).toBe(404);
  });

  it("ends a session whose room LiveKit already closed", async () => {
    const id = await s.agent({ livekit: s.rubric({ agent_name: "desk" }) });
    const room = (await s.start(id)).body.room_name;
    await s.rooms.deleteRoom(room);
    expect((await s.h.call("DELETE", `/v1/sessions/livekit/${room}`)).status).toBe(204);
    expect((await getLivekitSession(s.h.services.db, s.h.a.workspaceId, room))?.endedAtMs).toBe(NOW_MS);
  });
});

describe("a session nothing can observe", () => {
  it("starts unobserved and answers why when no sidecar is wired in, creating no run", async () => {
    await s.restart({ observe: true });
    const id = await s.agent({ livekit: s.rubric({ agent_name: "desk" }) });
    const res = await s.start(id);
    expect(res.status).toBe(200);
    expect({ run_id: res.body.run_id, reason: res.body.unobserved_reason }).toEqual({
      run_id: null,
      reason: "the session is not recorded: no sidecar is wired in",
    });
    expect((await s.h.call("GET", "/v1/test-runs")).body.data).toEqual([]);
    expect(await s.h.call("DELETE", `/v1/sessions/livekit/${res.body.room_name}`)).toMatchObject({
      status: 204,
    });
  });
});
