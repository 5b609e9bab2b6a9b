import type { ScriptStep } from "@spar/protocol";

/**
 * Look-ahead for barge-ins in a scripted call: `interrupt_after_ms` of each move the scripted
 * brain will return, in order. A step with it must be spoken while the agent is still answering
 * the previous caller turn, so the call has to know before the agent's turn ends that the next
 * move interrupts. The scripted brain turns each action step (say, dtmf, wait_ms, end,
 * wait_for_end) into exactly one move, so counting moves finds the step.
 */
export function interruptAfterMsByMove(script: readonly ScriptStep[]): (number | undefined)[] {
  return script
    .filter(
      (s) =>
        s.say !== undefined ||
        s.dtmf !== undefined ||
        s.wait_ms !== undefined ||
        s.end !== undefined ||
        s.wait_for_end !== undefined,
    )
    .map((s) => s.interrupt_after_ms);
}
