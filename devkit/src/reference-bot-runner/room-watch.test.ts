import { TwirpError } from "livekit-server-sdk";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type CallEnd, INITIAL_WATCH, type ParticipantLister, watchRoom, watchStep } from "./room-watch.ts";

describe("watchStep", () => {
  it("keeps the call while the bot waits alone for its caller", () => {
    expect(watchStep(INITIAL_WATCH, ["bot"], "bot")).toEqual({
      state: { botSeen: true, othersSeen: false },
      ended: undefined,
    });
  });

  it("ends the call when the caller who was there has left", () => {
    const joined = watchStep(INITIAL_WATCH, ["bot", "caller"], "bot").state;
    expect(watchStep(joined, ["bot", "caller"], "bot").ended).toBeUndefined();
    expect(watchStep(joined, ["bot"], "bot").ended).toBe("caller_left");
  });

  it("ends the call when the bot is no longer listed, and calls an empty room gone", () => {
    expect(watchStep(INITIAL_WATCH, ["caller"], "bot").ended).toBe("bot_left");
    expect(watchStep(INITIAL_WATCH, [], "bot").ended).toBe("room_gone");
  });
});

describe("watchRoom", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function watch(lister: ParticipantLister) {
    const ended: CallEnd[] = [];
    const refused: string[] = [];
    let polls = 0;
    const counted: ParticipantLister = {
      listParticipants: (room) => {
        polls += 1;
        return lister.listParticipants(room);
      },
    };
    const w = watchRoom({
      lister: counted,
      room: "r",
      botIdentity: "bot",
      pollMs: 1000,
      maxCallMs: 10_000,
      onEnded: (reason) => ended.push(reason),
      onWatchRefused: (message) => refused.push(message),
    });
    return { w, ended, refused, polls: () => polls };
  }

  it("polls every pollMs and reports the end once", async () => {
    const rooms: string[][] = [["bot"], ["bot", "caller"], ["bot"], ["bot"]];
    const { ended, polls } = watch({
      listParticipants: async () => (rooms.shift() ?? []).map((identity) => ({ identity })),
    });
    await vi.advanceTimersByTimeAsync(2999);
    expect([polls(), ended]).toEqual([2, []]);
    await vi.advanceTimersByTimeAsync(1);
    expect([polls(), ended]).toEqual([3, ["caller_left"]]);
    await vi.advanceTimersByTimeAsync(5000);
    expect([polls(), ended]).toEqual([3, ["caller_left"]]);
  });

  it("treats a not-found answer as the room being gone", async () => {
    const { ended } = watch({
      listParticipants: async () => {
        throw new TwirpError("TwirpError", "room not found", 404, "not_found");
      },
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(ended).toEqual(["room_gone"]);
  });

  it("keeps polling through a transient error", async () => {
    let first = true;
    const { ended, polls } = watch({
      listParticipants: async () => {
        if (first) {
          first = false;
          throw new TwirpError("TwirpError", "unavailable", 503, "unavailable");
        }
        return [];
      },
    });
    await vi.advanceTimersByTimeAsync(2000);
    expect([polls(), ended]).toEqual([2, ["room_gone"]]);
  });

  it("stops polling when the server refuses its credentials and ends the call at maxCallMs", async () => {
    const { ended, refused, polls } = watch({
      listParticipants: async () => {
        throw new TwirpError("TwirpError", "invalid token", 401, "unauthenticated");
      },
    });
    await vi.advanceTimersByTimeAsync(9999);
    expect([polls(), refused, ended]).toEqual([1, ["401 invalid token"], []]);
    await vi.advanceTimersByTimeAsync(1);
    expect(ended).toEqual(["max_call"]);
  });

  it("reports nothing after stop()", async () => {
    const { w, ended, polls } = watch({ listParticipants: async () => [] });
    w.stop();
    await vi.advanceTimersByTimeAsync(20_000);
    expect([polls(), ended]).toEqual([0, []]);
  });
});
