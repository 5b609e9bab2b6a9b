import type { CallerBrain, CallerMove } from "@spar/caller";
import { describe, expect, it } from "vitest";
import type { SessionResult } from "../../text-session/session-types.ts";
import type { AgentSocket, SocketEvent } from "./agent-socket.ts";
import { AlarmSession } from "./alarm-session.ts";

const CONFIG = {
  perTurnTimeoutMs: 1_000,
  maxDurationMs: 60_000,
  firstSpeaker: "caller" as const,
  settleMs: 0,
  connectTimeoutMs: 10_000,
  closeGraceMs: 5_000,
};

/** A session on a hand-driven clock, an agent socket that records what it is sent, and a caller that says one line. */
function harness(moves: CallerMove[] = [{ kind: "say", text: "hello" }]) {
  let now = 1_000;
  const alarms: (number | undefined)[] = [];
  const sent: string[] = [];
  const closed: number[] = [];
  const results: SessionResult[] = [];
  let emit: (event: SocketEvent) => void = () => undefined;
  let open: (socket: AgentSocket | undefined) => void = () => undefined;
  const caller: CallerBrain = { next: async () => moves.shift() ?? { kind: "end" } };
  const session = new AlarmSession(CONFIG, {
    now: () => now,
    connect: (on) => {
      emit = on;
      return new Promise((resolve) => {
        open = resolve;
      });
    },
    caller,
    setAlarm: (at) => alarms.push(at),
    onTranscript: () => undefined,
    onFinish: (result) => results.push(result),
  });
  const socket: AgentSocket = { send: (d) => sent.push(d), close: (code) => closed.push(code) };
  return {
    session,
    alarms,
    sent,
    closed,
    results,
    at: (ms: number) => {
      now = ms;
    },
    open: () => open(socket),
    emit: (event: SocketEvent) => emit(event),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("the text session on one alarm", () => {
  it("keeps the alarm at the earliest timer: connect before the run's maximum", () => {
    const h = harness();
    h.session.start();
    expect(h.alarms.at(-1)).toBe(11_000);
  });

  it("ends a run whose agent never answers as agent_timeout when the turn's alarm rings", async () => {
    const h = harness();
    h.session.start();
    h.at(1_200);
    h.open();
    await settle();
    expect(h.sent).toEqual([JSON.stringify({ type: "message", content: "hello" })]);
    expect(h.alarms.at(-1)).toBe(2_200);

    h.at(2_200);
    h.session.fireDue();
    expect(h.results).toHaveLength(1);
    expect(h.results[0]).toMatchObject({
      status: "failed",
      endedReason: "agent_timeout",
      error: "the agent did not reply within 1 s",
      startedAt: 1_000,
      endedAt: 2_200,
    });
    expect(h.closed).toEqual([1000]);
    expect(h.alarms.at(-1)).toBeUndefined();
  });

  it("ignores an alarm that rings early: nothing is due yet", async () => {
    const h = harness();
    h.session.start();
    h.open();
    await settle();
    h.at(1_999);
    h.session.fireDue();
    expect(h.results).toEqual([]);
    expect(h.alarms.at(-1)).toBe(2_000);
  });

  it("lets no late frame or alarm overwrite a final result", async () => {
    const h = harness();
    h.session.start();
    h.open();
    await settle();
    h.session.interrupt("cancelled");
    h.at(5_000);
    h.emit({ type: "frame", data: JSON.stringify({ type: "message", content: "late" }) });
    h.session.fireDue();
    expect(h.results.map((r) => [r.status, r.error])).toEqual([["interrupted", "cancelled"]]);
    expect(h.session.finished).toBe(true);
  });

  it("lets go of a socket that opens after the run ended", () => {
    const h = harness();
    h.session.start();
    h.session.interrupt("stopped while connecting");
    h.open();
    return settle().then(() => {
      expect(h.closed).toEqual([1000]);
      expect(h.results).toHaveLength(1);
    });
  });
});
