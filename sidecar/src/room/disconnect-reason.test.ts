import { DisconnectReason } from "@livekit/rtc-node";
import { describe, expect, it } from "vitest";
import { describeDisconnect } from "./disconnect-reason.ts";

describe("describeDisconnect", () => {
  it("reads the room closing or the caller being removed as a normal end", () => {
    for (const reason of [
      DisconnectReason.ROOM_DELETED,
      DisconnectReason.ROOM_CLOSED,
      DisconnectReason.PARTICIPANT_REMOVED,
      DisconnectReason.CLIENT_INITIATED,
    ]) {
      expect(describeDisconnect(reason).normal).toBe(true);
    }
    expect(describeDisconnect(DisconnectReason.ROOM_DELETED).name).toBe("ROOM_DELETED");
  });

  it("reads a shutdown, a lost signal connection or a failed join as a fault", () => {
    for (const reason of [
      DisconnectReason.UNKNOWN_REASON,
      DisconnectReason.SERVER_SHUTDOWN,
      DisconnectReason.SIGNAL_CLOSE,
      DisconnectReason.JOIN_FAILURE,
      DisconnectReason.STATE_MISMATCH,
      DisconnectReason.DUPLICATE_IDENTITY,
      DisconnectReason.USER_REJECTED,
    ]) {
      expect(describeDisconnect(reason).normal).toBe(false);
    }
    expect(describeDisconnect(DisconnectReason.SERVER_SHUTDOWN)).toEqual({
      name: "SERVER_SHUTDOWN",
      normal: false,
    });
  });

  it("names a reason this rtc-node does not know by its number", () => {
    expect(describeDisconnect(999)).toEqual({ name: "reason 999", normal: false });
  });
});
