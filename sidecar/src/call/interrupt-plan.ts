import type { ScriptStep } from "@spar/protocol";

/**
 * Look-ahead for barge-ins in a scripted call. A step with `interrupt_after_ms` must be spoken
 * while the agent is still answering the previous caller turn, so the runner has to know before
 * the agent's turn ends that the next move interrupts. The scripted brain turns each action step
 * (say, dtmf, wait_ms, end, wait_for_end) into exactly one move, so counting moves finds the step.
 */
export class InterruptPlan {
  private readonly actions: ScriptStep[];
  private consumed = 0;

  constructor(script: readonly ScriptStep[]) {
    this.actions = script.filter(
      (s) =>
        s.say !== undefined ||
        s.dtmf !== undefined ||
        s.wait_ms !== undefined ||
        s.end !== undefined ||
        s.wait_for_end !== undefined,
    );
  }

  /** Call once per move the brain returned. */
  moveTaken(): void {
    this.consumed++;
  }

  /** `interrupt_after_ms` of the next move, when it barges in. */
  nextInterruptMs(): number | undefined {
    return this.actions[this.consumed]?.interrupt_after_ms;
  }
}
