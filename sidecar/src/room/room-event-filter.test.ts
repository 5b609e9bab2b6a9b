import { Room } from "@livekit/rtc-node";
import { describe, expect, it } from "vitest";
import { foreignToRoom, installRoomEventFilter } from "./room-event-filter.ts";

const roomEvent = (roomHandle: bigint) => ({ message: { case: "roomEvent", value: { roomHandle } } });

describe("foreignToRoom", () => {
  it("drops what the Room would drop: other rooms' events and events not for rooms", () => {
    expect(foreignToRoom(roomEvent(7n), 3n)).toBe(true);
    expect(foreignToRoom({ message: { case: "audioStreamEvent", value: {} } }, 3n)).toBe(true);
    expect(foreignToRoom({ message: { case: "captureAudioFrame", value: {} } }, undefined)).toBe(true);
  });

  it("keeps this room's events, RPC invocations, and every room event before the handle is known", () => {
    expect(foreignToRoom(roomEvent(3n), 3n)).toBe(false);
    expect(foreignToRoom(roomEvent(7n), undefined)).toBe(false);
    expect(foreignToRoom({ message: { case: "rpcMethodInvocation", value: {} } }, 3n)).toBe(false);
  });
});

describe("installRoomEventFilter", () => {
  it("wraps the listener rtc-node 1.1.0 registers on connect, passing this room's events through", () => {
    const room = new Room();
    const internals = room as unknown as {
      onFfiEvent: (e: unknown) => unknown;
      ffiHandle?: { handle: bigint };
    };
    // The pinned rtc-node keeps its listener here; the filter depends on it.
    expect(typeof internals.onFfiEvent).toBe("function");
    const seen: unknown[] = [];
    internals.onFfiEvent = (e) => seen.push(e);
    internals.ffiHandle = { handle: 3n };
    installRoomEventFilter(room);
    internals.onFfiEvent(roomEvent(7n));
    internals.onFfiEvent({ message: { case: "audioStreamEvent", value: {} } });
    internals.onFfiEvent(roomEvent(3n));
    expect(seen).toEqual([roomEvent(3n)]);
  });

  it("fails loudly if rtc-node no longer has the listener where 1.1.0 keeps it", () => {
    const room = new Room();
    (room as unknown as { onFfiEvent: unknown }).onFfiEvent = undefined;
    expect(() => installRoomEventFilter(room)).toThrow(/written for rtc-node 1\.1\.0/);
  });
});
