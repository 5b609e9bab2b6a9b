/**
 * What the gateway keeps about one voice run between its creation and its settling: the job a
 * sidecar plays (protocol/src/voice-job.ts) and what evaluating the result needs (the scenario's
 * assertions and script, the agent's metrics, the workspace LLM for judges). Stored sealed in
 * `voice_jobs`: the job holds LiveKit tokens or keys, the LLM config its API key.
 */
import type { RunMetric } from "@spar/caller";
import {
  assertionSchema,
  type LlmConfig,
  llmConfigSchema,
  type Scenario,
  scenarioSchema,
  type VoiceJob,
  voiceJobSchema,
} from "@spar/protocol";
import { z } from "zod";

const runMetricSchema = z.object({
  name: z.string(),
  assertion: assertionSchema,
  appliesTo: z.enum(["text_and_voice", "text_only"]),
  critical: z.boolean(),
});

export const voiceRunPlanSchema = z.object({
  job: voiceJobSchema,
  scenario: scenarioSchema,
  metrics: z.array(runMetricSchema),
  llm: llmConfigSchema.optional(),
});
export interface VoiceRunPlan {
  job: VoiceJob;
  scenario: Scenario;
  metrics: readonly RunMetric[];
  llm?: LlmConfig | undefined;
}

/** The caller part of the job from a scenario, in the shape the sidecar's caller config decodes. */
export function callerConfigOf(
  scenario: Scenario,
  llm: LlmConfig | undefined,
  agentIdentity: string | undefined,
): Record<string, unknown> {
  const scripted = scenario.script !== undefined;
  return {
    ...(scenario.script ? { script: scenario.script } : {}),
    ...(scenario.persona === undefined ? {} : { persona: scenario.persona }),
    ...(scenario.goal === undefined ? {} : { goal: scenario.goal }),
    ...(scenario.max_turns === undefined ? {} : { max_turns: scenario.max_turns }),
    ...(scenario.send_dtmf === undefined ? {} : { send_dtmf: scenario.send_dtmf }),
    // Only a persona caller talks to the LLM; a scripted one must not carry its key anywhere.
    ...(!scripted && llm ? { llm } : {}),
    ...(agentIdentity === undefined ? {} : { agent_identity: agentIdentity }),
  };
}

/**
 * Why a scenario cannot be a voice caller, or undefined: the same rules the sidecar's caller
 * config enforces, checked before anything is created so the test run answers 400 instead.
 */
export function callerProblem(scenario: Scenario, llm: LlmConfig | undefined): string | undefined {
  if (!scenario.script && !scenario.persona && !scenario.goal)
    return `scenario ${scenario.id}: needs a script, or a persona/goal for the LLM caller`;
  if (!scenario.script && !llm)
    return `scenario ${scenario.id}: a persona caller needs the workspace LLM (PUT /v1/settings/llm)`;
  return undefined;
}

/** Decodes a stored plan; a plan that does not decode is a platform fault, named as such. */
export function decodePlan(json: string): VoiceRunPlan {
  const parsed = voiceRunPlanSchema.safeParse(JSON.parse(json));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`a stored voice plan does not decode: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return parsed.data;
}
