import { describe, expect, it } from "vitest";
import { createRoomRequestOf } from "./livekit-admin.ts";

describe("createRoomRequestOf", () => {
  it("maps every forwarded room option to its CreateRoom field, and the platform's room name wins", () => {
    expect(
      createRoomRequestOf("agent_1_2_3", {
        empty_timeout: 300,
        departure_timeout: 20,
        max_participants: 10,
        metadata: '{"a":1}',
        min_playout_delay: 100,
        max_playout_delay: 200,
        sync_streams: true,
        room_preset: "voice",
        name: "theirs",
        egress: { room: {} },
      }),
    ).toEqual({
      name: "agent_1_2_3",
      emptyTimeout: 300,
      departureTimeout: 20,
      maxParticipants: 10,
      metadata: '{"a":1}',
      minPlayoutDelay: 100,
      maxPlayoutDelay: 200,
      syncStreams: true,
      roomPreset: "voice",
    });
  });
});
