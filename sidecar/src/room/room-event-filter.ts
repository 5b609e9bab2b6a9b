/**
 * Keeps other rooms' FFI events away from a Room's event lock.
 *
 * rtc-node 1.1.0 delivers every FFI event of the process (every audio frame of every stream,
 * every capture callback) to every connected Room, and each Room takes an async lock before it
 * looks at the event and drops it if it is not its own. With N calls in one process that is
 * N lock round trips per event, O(N²) per second: at 20 calls, one process of agent rooms spent
 * 45 % of its main thread there (Room.onFfiEvent was its top function). This wraps the Room's
 * listener before `connect` registers it, so events the Room would drop anyway are dropped
 * before the lock: the same two checks the Room makes first (a room event for another room
 * handle, or anything that is neither a room event nor an RPC invocation). Events for this room,
 * and everything before its handle is known, go through unchanged and in order.
 *
 * rtc-node is pinned to an exact version; `installRoomEventFilter` throws if the listener it
 * wraps is not where 1.1.0 keeps it, so an upgrade fails loudly instead of silently slowing down.
 */
import type { Room } from "@livekit/rtc-node";

interface FfiEventLike {
  message: { case: string | undefined; value?: unknown };
}

interface RoomInternals {
  onFfiEvent: (event: FfiEventLike) => unknown;
  ffiHandle?: { handle: bigint };
}

/** Whether the Room would ignore this event (it is for another room, or not for rooms at all). */
export function foreignToRoom(event: FfiEventLike, ownHandle: bigint | undefined): boolean {
  const kind = event.message.case;
  if (kind === "rpcMethodInvocation") return false;
  if (kind !== "roomEvent") return true;
  if (ownHandle === undefined) return false;
  const handle = (event.message.value as { roomHandle?: bigint } | undefined)?.roomHandle;
  return handle !== undefined && handle !== ownHandle;
}

/** Call on a new Room, before `connect`. */
export function installRoomEventFilter(room: Room): void {
  const internals = room as unknown as RoomInternals;
  const listener = internals.onFfiEvent;
  if (typeof listener !== "function") {
    throw new Error(
      "@livekit/rtc-node: Room has no onFfiEvent listener; the room event filter was written for rtc-node 1.1.0 (see sidecar/src/room/room-event-filter.ts)",
    );
  }
  internals.onFfiEvent = (event: FfiEventLike) => {
    if (foreignToRoom(event, internals.ffiHandle?.handle)) return;
    return listener(event);
  };
}
