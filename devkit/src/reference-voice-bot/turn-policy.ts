import type { BargeInPolicy } from "./bot-options.ts";
import { type LatencyPlan, latencyForTurn } from "./latency-plan.ts";

/** What the bot heard or did, with its time on the bot's clock. */
export type PolicyInput =
  | { type: "caller_started"; atMs: number }
  | { type: "caller_ended"; atMs: number }
  | { type: "bot_started"; id: string; atMs: number }
  | { type: "bot_ended"; id: string; atMs: number };

/** What the bot should do about it. */
export type PolicyAction =
  | {
      type: "speak";
      id: string;
      turn: number;
      kind: "reply" | "interruption";
      /** Caller end (reply) or caller start (interruption) the plan counts from. */
      callerMarkMs: number;
      startAtMs: number;
    }
  | { type: "cancel"; id: string }
  | { type: "cut"; id: string; bargeInAtMs: number; stopAtMs: number };

interface Planned {
  id: string;
  turn: number;
  kind: "reply" | "interruption";
}

/**
 * When the bot speaks (pure; the shell feeds it VAD and output events and carries out actions).
 * - Every caller turn gets a reply `latency(turn)` after the caller's end of speech. A turn listed
 *   in `interruptCaller` first gets an interruption `afterMs` after the caller started (dropped if
 *   the caller stops first); the reply still follows the caller's end, queued behind the
 *   interruption if that is still playing (a caller waits for an answer either way).
 * - Caller speech that resumes before the reply started continues the same turn (a pause, not a
 *   turn end); the reply is re-planned from the new end.
 * - Caller speech that starts while the bot talks is a barge-in and a new turn: with
 *   `{stopWithinMs}` the bot stops that long after the caller started; with "ignore" it finishes
 *   its utterance. Either way it answers that turn after the caller's end (behind the utterance
 *   still playing, if any).
 */
export class TurnPolicy {
  private turn = 0;
  private readonly answered = new Set<number>();
  private readonly interrupted = new Set<number>();
  private pending: Planned | undefined;
  private speaking: (Planned & { cut: boolean }) | undefined;
  private count = 0;

  constructor(
    private readonly options: {
      latencyMs: LatencyPlan;
      interruptCaller: readonly { turn: number; afterMs: number }[];
      bargeIn: BargeInPolicy;
      idPrefix?: string;
    },
  ) {}

  /** The caller turn now going on or last heard (0 before the caller spoke). */
  get currentTurn(): number {
    return this.turn;
  }

  get botSpeaking(): boolean {
    return this.speaking !== undefined;
  }

  on(input: PolicyInput): PolicyAction[] {
    switch (input.type) {
      case "caller_started":
        return this.callerStarted(input.atMs);
      case "caller_ended":
        return this.callerEnded(input.atMs);
      case "bot_started":
        if (this.pending?.id === input.id) {
          this.speaking = { ...this.pending, cut: false };
          (this.pending.kind === "reply" ? this.answered : this.interrupted).add(this.pending.turn);
          this.pending = undefined;
        }
        return [];
      case "bot_ended":
        if (this.speaking?.id === input.id) this.speaking = undefined;
        return [];
    }
  }

  private callerStarted(atMs: number): PolicyAction[] {
    const actions: PolicyAction[] = [];
    if (this.speaking) {
      this.turn++;
      const b = this.options.bargeIn;
      if (b !== "ignore" && !this.speaking.cut) {
        this.speaking.cut = true;
        actions.push({
          type: "cut",
          id: this.speaking.id,
          bargeInAtMs: atMs,
          stopAtMs: atMs + b.stopWithinMs,
        });
      }
      return actions;
    }
    if (this.pending) {
      // The caller only paused: drop the reply and wait for the real end of the turn.
      actions.push({ type: "cancel", id: this.pending.id });
      this.pending = undefined;
      return actions;
    }
    if (this.turn === 0 || this.answered.has(this.turn)) this.turn++;
    const interrupt = this.options.interruptCaller.find((i) => i.turn === this.turn);
    if (interrupt && !this.answered.has(this.turn) && !this.interrupted.has(this.turn)) {
      actions.push(this.plan("interruption", atMs, atMs + interrupt.afterMs));
    }
    return actions;
  }

  private callerEnded(atMs: number): PolicyAction[] {
    const actions: PolicyAction[] = [];
    if (this.pending?.kind === "interruption") {
      // The caller finished before the planned interruption: answer instead.
      actions.push({ type: "cancel", id: this.pending.id });
      this.pending = undefined;
    }
    // A reply may queue behind an utterance that is being cut, is an interruption, or ignores the caller.
    const free =
      !this.speaking ||
      this.speaking.cut ||
      this.speaking.kind === "interruption" ||
      this.options.bargeIn === "ignore";
    if (this.turn > 0 && !this.answered.has(this.turn) && !this.pending && free) {
      actions.push(this.plan("reply", atMs, atMs + latencyForTurn(this.options.latencyMs, this.turn)));
    }
    return actions;
  }

  private plan(kind: "reply" | "interruption", callerMarkMs: number, startAtMs: number): PolicyAction {
    const id = `${this.options.idPrefix ?? "bot"}-${++this.count}`;
    this.pending = { id, turn: this.turn, kind };
    return { type: "speak", id, turn: this.turn, kind, callerMarkMs, startAtMs };
  }
}
