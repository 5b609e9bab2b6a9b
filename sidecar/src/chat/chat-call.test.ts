import type { CallerBrain, CallerMove } from "@spar/caller";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { realClock } from "../media/clock.ts";
import { runChatCall } from "./chat-call.ts";
import type { ChatRoom, ChatRoomConnectOptions, ChatRoomConnector, ChatRoomEvent } from "./chat-room.ts";
import { DEFAULT_CHAT_LIMITS } from "./chat-types.ts";

/** A room that joins after `joinMs`, with the agent already in it, and records what it is asked to do. */
class FakeRoom implements ChatRoom, ChatRoomConnector {
  readonly roomName = "fake-room";
  sent: string[] = [];
  data: string[] = [];
  left = 0;
  failSends = false;
  emit: (event: ChatRoomEvent) => void = () => undefined;
  constructor(
    private readonly joinMs: number,
    private readonly onJoining: (room: FakeRoom) => void = () => undefined,
  ) {}
  async connect(options: ChatRoomConnectOptions): Promise<ChatRoom> {
    this.emit = options.onEvent;
    this.onJoining(this);
    await new Promise((r) => setTimeout(r, this.joinMs));
    return this;
  }
  remoteIdentities(): string[] {
    return ["agent"];
  }
  async sendChat(text: string): Promise<void> {
    if (this.failSends) throw new Error("data channel closed");
    this.sent.push(text);
  }
  async publishDataMessage(json: string): Promise<void> {
    this.data.push(json);
  }
  async leave(): Promise<void> {
    this.left += 1;
  }
}

function scripted(moves: CallerMove[]): CallerBrain {
  return { next: async () => moves.shift() ?? { kind: "end" } };
}

const limits = {
  ...DEFAULT_CHAT_LIMITS,
  connectMs: 500,
  greetingWaitMs: 1_000,
  turnTimeoutMs: 2_000,
  settleMs: 100,
};
const clock = realClock(() => Date.now());

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("runChatCall", () => {
  it("keeps a greeting written while the caller joins and answers it after the settle window", async () => {
    const room = new FakeRoom(200, (r) => {
      setTimeout(() => r.emit({ type: "text", identity: "agent", source: "chat", text: "Welcome!" }), 50);
    });
    const done = runChatCall(
      {
        url: "ws://x",
        token: "t",
        brain: scripted([{ kind: "say", text: "Hi" }]),
        config: { limits, publishesDataMessage: true },
        dataMessage: { customer: 7 },
      },
      { connector: room, clock, emit: () => undefined, signal: new AbortController().signal },
    );
    await vi.advanceTimersByTimeAsync(300);
    room.emit({ type: "text", identity: "agent", source: "transcription", text: "Hello again." });
    await vi.advanceTimersByTimeAsync(50);
    room.emit({ type: "participant_left", identity: "agent" });
    const result = await done;
    expect(result.transcript).toEqual([
      { role: "agent", content: "Welcome!", at_ms: 50 },
      // The greeting settled 150 ms after it arrived, while the caller joined: the caller writes as
      // soon as it is in (a zero-delay timer fires 1 ms later).
      { role: "user", content: "Hi", at_ms: 201 },
      { role: "agent", content: "Hello again.", at_ms: 300, latency_ms: 99 },
    ]);
    expect(result.end).toMatchObject({ status: "completed", reason: "agent_ended" });
    expect(room.sent).toEqual(["Hi"]);
    expect(room.data).toEqual(['{"customer":7}']);
    expect(room.left).toBe(1);
  });

  it("fails connection_failed at the connect limit and leaves the room that joins later", async () => {
    const room = new FakeRoom(800);
    const done = runChatCall(
      { url: "ws://x", token: "t", brain: scripted([]), config: { limits, publishesDataMessage: false } },
      { connector: room, clock, emit: () => undefined, signal: new AbortController().signal },
    );
    await vi.advanceTimersByTimeAsync(500);
    const result = await done;
    expect(result.end).toEqual({
      status: "failed",
      reason: "connection_failed",
      endedBy: "platform",
      detail: "the caller could not join the room within 0.5 s",
    });
    expect(result.endedAt).toBe(500);
    await vi.advanceTimersByTimeAsync(300);
    expect(room.left).toBe(1);
  });

  it("fails connection_lost when a message cannot be sent", async () => {
    const room = new FakeRoom(10);
    room.failSends = true;
    const done = runChatCall(
      {
        url: "ws://x",
        token: "t",
        brain: scripted([{ kind: "say", text: "Hi" }]),
        config: { limits: { ...limits, greetingWaitMs: 0 }, publishesDataMessage: false },
      },
      { connector: room, clock, emit: () => undefined, signal: new AbortController().signal },
    );
    await vi.advanceTimersByTimeAsync(10);
    expect((await done).end).toMatchObject({
      status: "failed",
      reason: "connection_lost",
      detail: "could not send on lk.chat: data channel closed",
    });
  });

  it("ends interrupted when the signal aborts mid-call", async () => {
    const room = new FakeRoom(10);
    const stop = new AbortController();
    const done = runChatCall(
      { url: "ws://x", token: "t", brain: scripted([]), config: { limits, publishesDataMessage: false } },
      { connector: room, clock, emit: () => undefined, signal: stop.signal },
    );
    await vi.advanceTimersByTimeAsync(400);
    stop.abort();
    const result = await done;
    expect(result.end).toMatchObject({ status: "interrupted", reason: "interrupted" });
    expect(result.endedAt).toBe(400);
    expect(room.left).toBe(1);
  });
});
