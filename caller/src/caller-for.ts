/** Picks the brain a scenario asks for: its script, else the LLM persona caller. */
import { AppError, type Scenario, type Suite } from "@spar/protocol";
import type { CallerBrain } from "./brain.ts";
import { createLlmCaller } from "./llm-caller.ts";
import { createScriptedCaller } from "./scripted-caller.ts";

/** Used when a persona scenario gives no `max_turns`. */
export const DEFAULT_MAX_TURNS = 10;

export function callerFor(
  scenario: Scenario,
  suite: Suite,
  deps: { fetch?: typeof fetch } = {},
): CallerBrain {
  if (scenario.script) return createScriptedCaller(scenario.script);
  const llm = suite.caller?.llm;
  if (!llm) {
    // The suite schema already rejects this; kept so a hand-built Suite cannot slip through.
    throw new AppError("config_invalid", `scenario ${scenario.id}: a persona scenario needs caller.llm`);
  }
  return createLlmCaller({
    llm,
    ...(scenario.persona === undefined ? {} : { persona: scenario.persona }),
    ...(scenario.goal === undefined ? {} : { goal: scenario.goal }),
    maxTurns: scenario.max_turns ?? DEFAULT_MAX_TURNS,
    sendDtmf: scenario.send_dtmf ?? false,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
}
