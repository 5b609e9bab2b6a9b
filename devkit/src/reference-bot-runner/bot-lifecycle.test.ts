import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RunnerHarness, until } from "./testing/runner-harness.ts";

let h: RunnerHarness;
beforeEach(async () => {
  h = await RunnerHarness.create();
});
afterEach(async () => {
  await h.close();
});

describe("when calls end", () => {
  it("stops the bot when the caller leaves the room", async () => {
    await h.start();
    await h.post("/token", { room_name: "leave", participant_name: "simulated_user" });
    h.server.join("leave", "simulated_user");
    await new Promise((r) => setTimeout(r, 150));
    expect(h.runner?.running.map((c) => c.roomName)).toEqual(["leave"]);
    await h.rooms.removeParticipant("leave", "simulated_user");
    await until(() => h.ended.length === 1, "the bot to stop");
    expect(h.ended).toEqual([{ room: "leave", reason: "caller_left" }]);
    expect(h.closed).toEqual(["leave"]);
    expect(h.runner?.running).toEqual([]);
  });

  it("stops the bot when the room is deleted", async () => {
    await h.start();
    const res = await h.post("/api/create-and-join", { rubric_run_id: "7" });
    await h.rooms.deleteRoom(String(res.body.room_name));
    await until(() => h.ended.length === 1, "the bot to stop");
    expect(h.ended).toEqual([{ room: res.body.room_name, reason: "room_gone" }]);
  });

  it("stops the bot after the longest call it allows", async () => {
    await h.start({ maxCallMs: 200 });
    await h.post("/token", { room_name: "long", participant_name: "simulated_user" });
    await until(() => h.ended.length === 1, "the bot to stop");
    expect(h.ended).toEqual([{ room: "long", reason: "max_call" }]);
  });

  it("starts one bot for a request retried while the first bot is still joining", async () => {
    await h.start();
    let open = () => {};
    h.joinGate = new Promise((resolve) => {
      open = resolve;
    });
    const body = { room_name: "retry", participant_name: "simulated_user" };
    const first = h.post("/token", body);
    await until(() => h.started.length === 1, "the first bot to start joining");
    const second = await h.post("/token", body);
    open();
    expect([(await first).status, second.status]).toEqual([200, 200]);
    expect(h.started).toHaveLength(1);
  });

  it("closes a bot that was still joining when the runner closed", async () => {
    await h.start();
    let open = () => {};
    h.joinGate = new Promise((resolve) => {
      open = resolve;
    });
    const pending = h.post("/token", { room_name: "late", participant_name: "u" });
    await until(() => h.started.length === 1, "the bot to start joining");
    const closing = h.runner?.close();
    h.runner = undefined;
    open();
    await Promise.all([pending.catch(() => undefined), closing]);
    expect(h.closed).toEqual(["late"]);
    expect(h.server.registry.listParticipants("late")).toEqual([]);
  });

  it("stops every bot on close()", async () => {
    await h.start();
    await h.post("/token", { room_name: "a", participant_name: "u" });
    await h.post("/token", { room_name: "b", participant_name: "u" });
    await h.runner?.close();
    h.runner = undefined;
    expect(h.ended.map((e) => [e.room, e.reason]).sort()).toEqual([
      ["a", "runner_closed"],
      ["b", "runner_closed"],
    ]);
    expect(h.closed.sort()).toEqual(["a", "b"]);
  });
});
