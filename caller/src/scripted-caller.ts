/**
 * The deterministic caller: walks the scenario's script step by step (spec/suite-file.md
 * § Script steps). No LLM; the CI default.
 */
import { compilePattern, dtmfTag, type ScriptStep, type TextPattern } from "@spar/protocol";
import type { CallerBrain, CallerMove, ConversationView } from "./brain.ts";
import { expectationFailed } from "./script-progress.ts";

interface CompiledStep {
  step: ScriptStep;
  expect: TextPattern | undefined;
}

export function createScriptedCaller(script: readonly ScriptStep[]): CallerBrain {
  // Compile up front: a bad pattern is a config error at creation, not mid-call.
  const steps: CompiledStep[] = script.map((step) => ({
    step,
    expect: step.expect === undefined ? undefined : compilePattern(step.expect),
  }));
  let cursor = 0;

  return {
    async next(view: ConversationView): Promise<CallerMove> {
      // Expect-only steps check and fall through to the following step in the same turn.
      while (cursor < steps.length) {
        const current = steps[cursor];
        cursor++;
        if (!current) break;
        const { step, expect } = current;
        if (expect) {
          const said = view.repliesSinceLastCaller.join("\n");
          if (!expect.test(said))
            return { kind: "end", failure: expectationFailed(expect.source, view.repliesSinceLastCaller) };
        }
        const move = moveOf(step);
        if (move) return move;
      }
      return { kind: "end" };
    },
  };
}

function moveOf(step: ScriptStep): CallerMove | undefined {
  if (step.say !== undefined) {
    return step.interrupt_after_ms === undefined
      ? { kind: "say", text: step.say }
      : { kind: "say", text: step.say, interruptAfterMs: step.interrupt_after_ms };
  }
  if (step.dtmf !== undefined) return { kind: "say", text: dtmfTag(step.dtmf) };
  if (step.wait_ms !== undefined) return { kind: "wait", ms: step.wait_ms };
  if (step.end) return { kind: "end" };
  if (step.wait_for_end) return { kind: "wait_for_end" };
  return undefined;
}
