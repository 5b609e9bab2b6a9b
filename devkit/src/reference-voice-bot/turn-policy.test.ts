import { describe, expect, it } from "vitest";
import { type PolicyAction, TurnPolicy } from "./turn-policy.ts";

const policy = (o: Partial<ConstructorParameters<typeof TurnPolicy>[0]> = {}) =>
  new TurnPolicy({ latencyMs: 500, interruptCaller: [], bargeIn: { stopWithinMs: 200 }, ...o });

/** Plays a speak action out: started at its planned time, ended `durationMs` later. */
function speakAll(p: TurnPolicy, actions: PolicyAction[], durationMs: number): void {
  for (const a of actions) {
    if (a.type !== "speak") continue;
    p.on({ type: "bot_started", id: a.id, atMs: a.startAtMs });
    p.on({ type: "bot_ended", id: a.id, atMs: a.startAtMs + durationMs });
  }
}

describe("TurnPolicy", () => {
  it("replies to each caller turn after the planned latency", () => {
    const p = policy({ latencyMs: [400, 900] });
    expect(p.on({ type: "caller_started", atMs: 1000 })).toEqual([]);
    const first = p.on({ type: "caller_ended", atMs: 2000 });
    expect(first).toEqual([
      { type: "speak", id: "bot-1", turn: 1, kind: "reply", callerMarkMs: 2000, startAtMs: 2400 },
    ]);
    speakAll(p, first, 1000);
    p.on({ type: "caller_started", atMs: 4000 });
    const second = p.on({ type: "caller_ended", atMs: 5000 });
    expect(second).toEqual([
      { type: "speak", id: "bot-2", turn: 2, kind: "reply", callerMarkMs: 5000, startAtMs: 5900 },
    ]);
  });

  it("treats speech resuming before the reply as a pause and re-plans from the new end", () => {
    const p = policy();
    p.on({ type: "caller_started", atMs: 0 });
    const early = p.on({ type: "caller_ended", atMs: 1000 });
    expect(p.on({ type: "caller_started", atMs: 1300 })).toEqual([{ type: "cancel", id: "bot-1" }]);
    expect(early[0]).toMatchObject({ turn: 1 });
    expect(p.on({ type: "caller_ended", atMs: 2000 })).toEqual([
      { type: "speak", id: "bot-2", turn: 1, kind: "reply", callerMarkMs: 2000, startAtMs: 2500 },
    ]);
  });

  it("interrupts the caller in a listed turn, then still answers it when the caller finishes", () => {
    const p = policy({ interruptCaller: [{ turn: 2, afterMs: 700 }] });
    p.on({ type: "caller_started", atMs: 0 });
    speakAll(p, p.on({ type: "caller_ended", atMs: 1000 }), 800);
    const interrupt = p.on({ type: "caller_started", atMs: 3000 });
    expect(interrupt).toEqual([
      { type: "speak", id: "bot-2", turn: 2, kind: "interruption", callerMarkMs: 3000, startAtMs: 3700 },
    ]);
    p.on({ type: "bot_started", id: "bot-2", atMs: 3700 });
    // The caller ends while the interruption still plays: the reply is planned and queued behind it.
    expect(p.on({ type: "caller_ended", atMs: 4500 })).toEqual([
      { type: "speak", id: "bot-3", turn: 2, kind: "reply", callerMarkMs: 4500, startAtMs: 5000 },
    ]);
    p.on({ type: "bot_ended", id: "bot-2", atMs: 5000 });
    p.on({ type: "bot_started", id: "bot-3", atMs: 5000 });
    p.on({ type: "bot_ended", id: "bot-3", atMs: 6000 });
    // A pause and resume inside the same turn never interrupts twice.
    expect(p.on({ type: "caller_started", atMs: 7000 })).toEqual([]);
    expect(p.currentTurn).toBe(3);
  });

  it("interrupts a turn only once even when the caller pauses in it", () => {
    const p = policy({ interruptCaller: [{ turn: 1, afterMs: 300 }] });
    p.on({ type: "caller_started", atMs: 0 });
    p.on({ type: "bot_started", id: "bot-1", atMs: 300 });
    p.on({ type: "bot_ended", id: "bot-1", atMs: 800 });
    const reply = p.on({ type: "caller_ended", atMs: 1000 });
    expect(reply).toEqual([
      { type: "speak", id: "bot-2", turn: 1, kind: "reply", callerMarkMs: 1000, startAtMs: 1500 },
    ]);
    expect(p.on({ type: "caller_started", atMs: 1200 })).toEqual([{ type: "cancel", id: "bot-2" }]);
    expect(p.on({ type: "caller_ended", atMs: 2000 })).toEqual([
      { type: "speak", id: "bot-3", turn: 1, kind: "reply", callerMarkMs: 2000, startAtMs: 2500 },
    ]);
  });

  it("replies normally when the caller stops before the planned interruption", () => {
    const p = policy({ interruptCaller: [{ turn: 1, afterMs: 2000 }] });
    p.on({ type: "caller_started", atMs: 0 });
    expect(p.on({ type: "caller_ended", atMs: 1000 })).toEqual([
      { type: "cancel", id: "bot-1" },
      { type: "speak", id: "bot-2", turn: 1, kind: "reply", callerMarkMs: 1000, startAtMs: 1500 },
    ]);
  });

  it("stops a barged-in utterance stopWithinMs after the caller started, then answers that turn", () => {
    const p = policy({ bargeIn: { stopWithinMs: 150 } });
    p.on({ type: "caller_started", atMs: 0 });
    const reply = p.on({ type: "caller_ended", atMs: 1000 });
    p.on({ type: "bot_started", id: "bot-1", atMs: 1500 });
    expect(reply).toHaveLength(1);
    expect(p.on({ type: "caller_started", atMs: 2000 })).toEqual([
      { type: "cut", id: "bot-1", bargeInAtMs: 2000, stopAtMs: 2150 },
    ]);
    expect(p.currentTurn).toBe(2);
    // The caller's barge-in is short: the reply is planned while the cut is still pending.
    expect(p.on({ type: "caller_ended", atMs: 2100 })).toEqual([
      { type: "speak", id: "bot-2", turn: 2, kind: "reply", callerMarkMs: 2100, startAtMs: 2600 },
    ]);
  });

  it("keeps talking through a barge-in when told to ignore it, and answers that turn afterwards", () => {
    const p = policy({ bargeIn: "ignore" });
    p.on({ type: "caller_started", atMs: 0 });
    p.on({ type: "caller_ended", atMs: 1000 });
    p.on({ type: "bot_started", id: "bot-1", atMs: 1500 });
    expect(p.on({ type: "caller_started", atMs: 2000 })).toEqual([]);
    expect(p.currentTurn).toBe(2);
    expect(p.on({ type: "caller_ended", atMs: 2500 })).toEqual([
      { type: "speak", id: "bot-2", turn: 2, kind: "reply", callerMarkMs: 2500, startAtMs: 3000 },
    ]);
  });
});
