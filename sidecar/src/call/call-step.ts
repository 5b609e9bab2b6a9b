/** One step of the call core: the state being changed, the effects produced, helpers for both. */
import type { EndedReason } from "@spar/protocol";
import type { CallEffect, CallState, CallTimer, CallWait } from "./call-core-types.ts";
import { type CallEnd, failed } from "./call-end.ts";
import type { TurnEvent } from "./call-transcript.ts";
import { CoreStep } from "./core-step.ts";

/**
 * How far the microphone runs ahead of the track while a barge-in is pending (see
 * MicrophonePlayout.setMaxLead): the barge-in is decided when the agent's onset is heard and
 * starts `interrupt_after_ms` after it, so it can land on its sample if that is at least the
 * hearing delay (transit + one received frame) + this lead + one microphone frame: ~350 ms here.
 */
export const BARGE_IN_LEAD_MS = 40;
/** How long an agent turn's words may trail its audio: published text (a stream's first packets lag). */
export const WORDS_GRACE_MS = 2_000;
/** Offline STT starts at the agent's first turn (model load ~1 s) and then transcribes what was buffered. */
export const STT_GRACE_MS = 6_000;

export class Step extends CoreStep<CallState, CallTimer, CallEffect> {
  turn(turn: TurnEvent | undefined): void {
    if (turn) this.effects.push({ type: "emit", event: turn });
  }
  await(wait: CallWait | null): void {
    this.s.wait = wait;
  }
  /** `interrupt_after_ms` of the brain's next move, when it barges in. */
  nextInterruptMs(): number | undefined {
    return this.s.config.interruptAfterMsByMove[this.s.movesTaken];
  }
  /** The first end wins: every timer cleared, one `end`. */
  finish(end: CallEnd): void {
    const s = this.s;
    if (s.phase === "connecting") this.stage("connect", false, end.reason);
    for (const t of [...s.timers]) this.clearTimer(t);
    s.phase = "done";
    s.wait = null;
    s.end = end;
    this.effects.push({ type: "end", end });
  }
  fail(reason: EndedReason, detail: string): void {
    this.finish(failed(reason, detail));
  }
}
