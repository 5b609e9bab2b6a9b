/**
 * The caller part of a voice job (`VoiceJob.caller`): the script or persona the caller brain
 * plays, plus the voice-only knobs. Decoded here so a bad job fails with the path of the field.
 */
import { type CallerBrain, callerFor } from "@spar/caller";
import { llmConfigSchema, type Scenario, type Suite, scriptStepSchema } from "@spar/protocol";
import { z } from "zod";

export const voiceCallerConfigSchema = z
  .strictObject({
    script: z.array(scriptStepSchema).min(1).max(1000).optional(),
    persona: z.string().max(16_384).optional(),
    goal: z.string().max(16_384).optional(),
    max_turns: z.number().int().min(1).max(200).optional(),
    send_dtmf: z.boolean().optional(),
    llm: llmConfigSchema.optional(),
    /** Which participant is the agent (default: the first other participant to join). */
    agent_identity: z.string().min(1).max(256).optional(),
    /** Silence after the agent's last speech frame that ends its turn (default 700). */
    endpointing_ms: z.number().int().min(100).max(5_000).optional(),
    /** How long the caller lets a greeting agent speak first (default 2000). */
    greeting_wait_ms: z.number().int().min(0).max(30_000).optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.script && !c.persona && !c.goal)
      ctx.addIssue({ code: "custom", message: "needs a `script`, or a `persona`/`goal` for the LLM caller" });
    if (!c.script && (c.persona || c.goal) && !c.llm)
      ctx.addIssue({
        code: "custom",
        path: ["llm"],
        message: "a persona caller needs llm (base_url, model)",
      });
  });
export type VoiceCallerConfig = z.infer<typeof voiceCallerConfigSchema>;

/** Decodes `job.caller`; the error names each bad field's path and rule. */
export function decodeCallerConfig(input: unknown): VoiceCallerConfig {
  const parsed = voiceCallerConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map(
    (i) => `caller${i.path.map((p) => `.${String(p)}`).join("")}: ${i.message}`,
  );
  throw new Error(`invalid caller configuration: ${lines.join("; ")}`);
}

/** The shared caller brain for this configuration (scripted, else the LLM persona). */
export function brainFor(
  config: VoiceCallerConfig,
  ids: { scenarioId: string; agentId: string },
  deps: { fetch?: typeof fetch } = {},
): CallerBrain {
  const scenario: Scenario = {
    id: ids.scenarioId,
    channel: "voice",
    ...(config.script ? { script: config.script } : {}),
    ...(config.persona === undefined ? {} : { persona: config.persona }),
    ...(config.goal === undefined ? {} : { goal: config.goal }),
    ...(config.max_turns === undefined ? {} : { max_turns: config.max_turns }),
    ...(config.send_dtmf === undefined ? {} : { send_dtmf: config.send_dtmf }),
  };
  const suite: Suite = {
    version: 1,
    agent: { id: ids.agentId },
    ...(config.llm ? { caller: { llm: config.llm } } : {}),
    defaults: { channel: "voice", repeat: 1 },
    scenarios: [scenario],
  };
  return callerFor(scenario, suite, deps);
}
