/**
 * What every step of a room core (the voice call's and the chat's) does the same way: copy the
 * state it changes, keep its timer set and the matching set/clear effects in step, and report
 * stages. Each core extends it with its own state, timers and effects.
 */
import type { EndedReason, VoiceRunEventBody, VoiceStage } from "@spar/protocol";

/** The effects the base emits, over a core's timer names. */
export type CoreStepEffect<Timer> =
  | { type: "set_timer"; timer: Timer; dueAt: number }
  | { type: "clear_timer"; timer: Timer }
  | { type: "emit"; event: VoiceRunEventBody };

/** `ms` as seconds for a message: 1500 → "1.5 s" (to the millisecond, no float residue). */
export const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

export class CoreStep<State extends { timers: Timer[] }, Timer, Effect> {
  readonly effects: (Effect | CoreStepEffect<Timer>)[] = [];
  readonly s: State;
  constructor(
    prev: State,
    readonly at: number,
  ) {
    this.s = { ...prev, timers: [...prev.timers] };
  }
  setTimer(timer: Timer, dueAt: number): void {
    if (!this.s.timers.includes(timer)) this.s.timers.push(timer);
    this.effects.push({ type: "set_timer", timer, dueAt });
  }
  clearTimer(timer: Timer): void {
    if (!this.s.timers.includes(timer)) return;
    this.s.timers = this.s.timers.filter((t) => t !== timer);
    this.effects.push({ type: "clear_timer", timer });
  }
  stage(stage: VoiceStage, ok?: boolean, reason?: EndedReason): void {
    if (ok === undefined) this.effects.push({ type: "emit", event: { type: "stage_started", stage } });
    else
      this.effects.push({
        type: "emit",
        event: { type: "stage_finished", stage, ok, ...(reason === undefined ? {} : { reason }) },
      });
  }
}
