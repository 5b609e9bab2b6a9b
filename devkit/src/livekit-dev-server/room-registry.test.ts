import { DisconnectReason, ParticipantInfo, type Room, TrackInfo } from "@livekit/protocol";
import { describe, expect, it } from "vitest";
import {
  type ParticipantSession,
  type RegistryClock,
  type RegistryEvent,
  RoomRegistry,
} from "./room-registry.ts";

/** A clock whose timers fire only when the test advances it. */
class ManualClock implements RegistryClock {
  nowMs = 1_000_000;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;
  now = () => this.nowMs;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.nowMs + ms, fn });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.#timers.delete(h as number);
  };
  advance(ms: number): void {
    this.nowMs += ms;
    for (const [id, t] of [...this.#timers]) {
      if (t.at <= this.nowMs) {
        this.#timers.delete(id);
        t.fn();
      }
    }
  }
}

class FakeSession implements ParticipantSession {
  closedWith: DisconnectReason | undefined;
  roomUpdates: Room[] = [];
  readonly info: ParticipantInfo;
  constructor(identity: string) {
    this.info = new ParticipantInfo({ identity, sid: `PA_${identity}` });
  }
  close(reason: DisconnectReason): void {
    this.closedWith = reason;
  }
  roomUpdated(room: Room): void {
    this.roomUpdates.push(room);
  }
}

function setup() {
  const clock = new ManualClock();
  const registry = new RoomRegistry({ clock });
  const events: string[] = [];
  registry.on((e: RegistryEvent) => {
    events.push("participant" in e ? `${e.type}:${e.participant.identity}` : e.type);
  });
  return { clock, registry, events };
}

describe("RoomRegistry", () => {
  it("creates rooms idempotently with LiveKit ids, options and creation time", () => {
    const { registry, clock } = setup();
    const a = registry.createRoom({
      name: "r",
      emptyTimeoutS: 7,
      departureTimeoutS: 3,
      maxParticipants: 2,
      metadata: "m",
    });
    const again = registry.createRoom({ name: "r", metadata: "other" });
    expect(again).toBe(a);
    expect(a.sid).toMatch(/^RM_[0-9A-Za-z]{12}$/);
    expect([a.emptyTimeout, a.departureTimeout, a.maxParticipants, a.metadata]).toEqual([7, 3, 2, "m"]);
    expect(a.creationTimeMs).toBe(BigInt(clock.nowMs));
    expect(a.creationTime).toBe(BigInt(clock.nowMs / 1000));
  });

  it("uses livekit-server's defaults (300 s empty, 20 s departure) when timeouts are 0 or unset", () => {
    const { registry } = setup();
    const r = registry.createRoom({ name: "r", emptyTimeoutS: 0 });
    expect([r.emptyTimeout, r.departureTimeout, r.maxParticipants]).toEqual([300, 20, 0]);
  });

  it("closes a room nobody joined exactly at empty_timeout", () => {
    const { registry, clock, events } = setup();
    registry.createRoom({ name: "r", emptyTimeoutS: 5 });
    clock.advance(4_999);
    expect(registry.getRoom("r")).toBeDefined();
    clock.advance(1);
    expect(registry.getRoom("r")).toBeUndefined();
    expect(events).toEqual(["room_started", "room_finished"]);
  });

  it("keeps a room while occupied and closes it departure_timeout after the last one leaves", () => {
    const { registry, clock, events } = setup();
    registry.createRoom({ name: "r", emptyTimeoutS: 1, departureTimeoutS: 2 });
    const a = new FakeSession("a");
    expect(registry.admit("r", a, { autoCreate: false }).ok).toBe(true);
    clock.advance(10_000);
    expect(registry.getRoom("r")?.numParticipants).toBe(1);
    registry.depart("r", a);
    clock.advance(1_999);
    expect(registry.getRoom("r")?.numParticipants).toBe(0);
    clock.advance(1);
    expect(registry.getRoom("r")).toBeUndefined();
    expect(events).toEqual(["room_started", "participant_joined:a", "participant_left:a", "room_finished"]);
  });

  it("cancels the departure timer when someone rejoins in time", () => {
    const { registry, clock } = setup();
    registry.createRoom({ name: "r", departureTimeoutS: 2 });
    const a = new FakeSession("a");
    registry.admit("r", a, { autoCreate: false });
    registry.depart("r", a);
    clock.advance(1_500);
    registry.admit("r", new FakeSession("b"), { autoCreate: false });
    clock.advance(10_000);
    expect(registry.getRoom("r")).toBeDefined();
  });

  it("refuses the participant beyond max_participants and admits again after someone leaves", () => {
    const { registry } = setup();
    registry.createRoom({ name: "r", maxParticipants: 2 });
    const a = new FakeSession("a");
    registry.admit("r", a, { autoCreate: false });
    registry.admit("r", new FakeSession("b"), { autoCreate: false });
    const third = registry.admit("r", new FakeSession("c"), { autoCreate: false });
    expect(third).toEqual({
      ok: false,
      reason: "room_full",
      message: 'room "r" is full: max_participants is 2',
    });
    registry.depart("r", a);
    expect(registry.admit("r", new FakeSession("c"), { autoCreate: false }).ok).toBe(true);
  });

  it("auto-creates on join only when allowed", () => {
    const { registry } = setup();
    expect(registry.admit("x", new FakeSession("a"), { autoCreate: false }).ok).toBe(false);
    expect(registry.admit("x", new FakeSession("a"), { autoCreate: true }).ok).toBe(true);
    expect(registry.getRoom("x")?.numParticipants).toBe(1);
  });

  it("replaces a participant joining twice with the same identity (DUPLICATE_IDENTITY)", () => {
    const { registry } = setup();
    const first = new FakeSession("a");
    const second = new FakeSession("a");
    registry.admit("r", first, { autoCreate: true });
    registry.admit("r", second, { autoCreate: true });
    expect(first.closedWith).toBe(DisconnectReason.DUPLICATE_IDENTITY);
    expect(registry.listParticipants("r")).toEqual([second.info]);
    registry.depart("r", first); // the old session's late departure must not remove the new one
    expect(registry.listParticipants("r")).toEqual([second.info]);
  });

  it("disconnects everyone with ROOM_DELETED when a room is deleted", () => {
    const { registry, events } = setup();
    const a = new FakeSession("a");
    const b = new FakeSession("b");
    registry.admit("r", a, { autoCreate: true });
    registry.admit("r", b, { autoCreate: true });
    events.length = 0;
    expect(registry.deleteRoom("r")).toBe(true);
    expect(registry.deleteRoom("r")).toBe(false);
    expect([a.closedWith, b.closedWith]).toEqual([
      DisconnectReason.ROOM_DELETED,
      DisconnectReason.ROOM_DELETED,
    ]);
    expect(events).toEqual(["participant_left:a", "participant_left:b", "room_finished"]);
  });

  it("removes one participant with PARTICIPANT_REMOVED", () => {
    const { registry } = setup();
    const a = new FakeSession("a");
    registry.admit("r", a, { autoCreate: true });
    expect(registry.removeParticipant("r", "a")).toBe(true);
    expect(a.closedWith).toBe(DisconnectReason.PARTICIPANT_REMOVED);
    expect(registry.removeParticipant("r", "a")).toBe(false);
    expect(registry.getParticipant("r", "a")).toBeUndefined();
  });

  it("updates metadata and tells every participant", () => {
    const { registry } = setup();
    const a = new FakeSession("a");
    registry.admit("r", a, { autoCreate: true });
    a.roomUpdates.length = 0;
    expect(registry.updateRoomMetadata("r", "hello")?.metadata).toBe("hello");
    expect(a.roomUpdates.map((r) => r.metadata)).toEqual(["hello"]);
    expect(registry.updateRoomMetadata("missing", "x")).toBeUndefined();
    expect(() => registry.updateRoomMetadata("r", "x".repeat(64 * 1024 + 1))).toThrow(/at most 65536 bytes/);
  });

  it("counts publishers and reports track events", () => {
    const { registry, events } = setup();
    const a = new FakeSession("a");
    registry.admit("r", a, { autoCreate: true });
    const track = new TrackInfo({ sid: "TR_x" });
    a.info.tracks.push(track);
    registry.trackPublished("r", a, track);
    expect(registry.getRoom("r")?.numPublishers).toBe(1);
    a.info.tracks = [];
    registry.trackUnpublished("r", a, track);
    expect(registry.getRoom("r")?.numPublishers).toBe(0);
    expect(events.slice(-2)).toEqual(["track_published:a", "track_unpublished:a"]);
  });

  it("lists rooms, optionally by name, and stops notifying after unsubscribe", () => {
    const { registry } = setup();
    const seen: string[] = [];
    const off = registry.on((e) => seen.push(e.type));
    registry.createRoom({ name: "a" });
    off();
    registry.createRoom({ name: "b" });
    expect(registry.listRooms().map((r) => r.name)).toEqual(["a", "b"]);
    expect(registry.listRooms(["b", "zz"]).map((r) => r.name)).toEqual(["b"]);
    expect(seen).toEqual(["room_started"]);
  });

  it("keeps working when a listener throws", () => {
    const errors: unknown[] = [];
    const registry = new RoomRegistry({ clock: new ManualClock(), onListenerError: (e) => errors.push(e) });
    registry.on(() => {
      throw new Error("boom");
    });
    expect(registry.createRoom({ name: "r" }).name).toBe("r");
    expect(errors).toHaveLength(1);
  });
});
