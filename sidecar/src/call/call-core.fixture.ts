/**
 * Drives the call core by hand for tests: sends events, keeps the effects, tracks the timers the
 * core has set (and their due ms) the way a shell would, and fires them at exactly that time.
 */
import type { CallerMove } from "@spar/caller";
import type { VoiceRunEventBody } from "@spar/protocol";
import { initialCallState, stepCall } from "./call-core.ts";
import type { CallEffect, CallEvent, CallState, CallTimer } from "./call-core-types.ts";
import type { CallEnd } from "./call-end.ts";
import { type CallLimits, DEFAULT_CALL_LIMITS } from "./call-limits.ts";

type EventBody = CallEvent extends infer E ? (E extends CallEvent ? Omit<E, "at"> : never) : never;

export class CoreDriver {
  state: CallState;
  /** Every effect so far, in order. */
  readonly effects: CallEffect[] = [];
  readonly timers = new Map<CallTimer, number>();

  constructor(
    limits: Partial<CallLimits> = {},
    options: { agentIdentity?: string; interruptAfterMsByMove?: (number | undefined)[] } = {},
  ) {
    this.state = initialCallState({
      limits: { ...DEFAULT_CALL_LIMITS, ...limits },
      ...(options.agentIdentity === undefined ? {} : { agentIdentity: options.agentIdentity }),
      interruptAfterMsByMove: options.interruptAfterMsByMove ?? [],
    });
  }

  /** Sends one event at `at`; returns the effects it produced. */
  send(at: number, event: EventBody): CallEffect[] {
    const out = stepCall(this.state, { ...event, at } as CallEvent);
    this.state = out.state;
    for (const e of out.effects) {
      if (e.type === "set_timer") this.timers.set(e.timer, e.dueAt);
      if (e.type === "clear_timer") this.timers.delete(e.timer);
    }
    this.effects.push(...out.effects);
    return out.effects;
  }

  /** Fires a set timer at its due ms; returns that ms and the effects. */
  fire(timer: CallTimer): { at: number; effects: CallEffect[] } {
    const at = this.timers.get(timer);
    if (at === undefined)
      throw new Error(`timer ${timer} is not set (set: ${[...this.timers.keys()].join(", ")})`);
    this.timers.delete(timer);
    return { at, effects: this.send(at, { type: "timer", timer }) };
  }

  /** Starts at `startAt`, connects at `connectedAt` and lets `agent` join right then. */
  join(startAt = 0, connectedAt = 100, agent = "agent"): void {
    this.send(startAt, { type: "start" });
    this.send(connectedAt, { type: "connected" });
    this.send(connectedAt, { type: "participant_joined", identity: agent });
  }

  /** One whole agent utterance, heard at its end. */
  agentSays(startMs: number, endMs: number): CallEffect[] {
    return [
      ...this.send(startMs, { type: "agent_speech_started", startMs }),
      ...this.send(endMs, { type: "agent_speech_ended", startMs, endMs }),
    ];
  }

  /** The endpoint timer fires and the words (published at once) are taken: the turn is written. */
  closeTurn(text: string): number {
    const { at } = this.fire("endpoint");
    this.send(at, { type: "words_ready" });
    this.send(at, { type: "words_decided", sttRunning: false });
    this.send(at, { type: "words_taken", text });
    return at;
  }

  /** The brain's move, then (for a `say`) its synthesis, returning the line id. */
  move(at: number, move: CallerMove): number | undefined {
    const effects = this.send(at, { type: "brain_move", move });
    const prepare = effects.find((e) => e.type === "prepare_line");
    if (prepare?.type !== "prepare_line") return undefined;
    this.send(at, { type: "line_prepared", lineId: prepare.lineId });
    return prepare.lineId;
  }

  last<T extends CallEffect["type"]>(type: T): Extract<CallEffect, { type: T }> | undefined {
    return this.effects.findLast((e): e is Extract<CallEffect, { type: T }> => e.type === type);
  }

  get end(): CallEnd | undefined {
    return this.state.end;
  }

  emitted(): VoiceRunEventBody[] {
    return this.effects.flatMap((e) => (e.type === "emit" ? [e.event] : []));
  }
}
