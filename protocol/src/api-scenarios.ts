/**
 * The gateway's scenario object (docs/api.md § Scenarios): a suite-file scenario with `key` for
 * its `id`, plus `agent_id` and `expected_outcome`. The rules the suite loader applies to one
 * scenario are applied at save, so a bad scenario is a 400 naming the field, never a failed run.
 */
import { z } from "zod";
import { checkForwardedHeaders } from "./forwarded-headers.ts";
import { idSchema, scenarioSchema } from "./suite.ts";

const objectId = z.number().int().positive();
const expectedOutcome = z.string().min(1).max(16_384);

const scenarioObjectSchema = scenarioSchema.omit({ id: true }).extend({
  /** A slug, unique in the workspace: suites-as-code upsert the scenario by it. */
  key: idSchema.optional(),
  agent_id: objectId.optional(),
  /** What should happen, in words: for judges and people. */
  expected_outcome: expectedOutcome.optional(),
});

type ScenarioObject = z.infer<typeof scenarioObjectSchema>;

/** The suite loader's per-scenario rules that do not depend on the rest of a suite. */
function checkScenario(s: ScenarioObject, ctx: z.RefinementCtx): void {
  if (!s.script && !s.persona && !s.goal) {
    ctx.addIssue({
      code: "custom",
      path: [],
      message: "needs a `script`, or a `persona`/`goal` for the LLM caller",
    });
  }
  if (s.channel === "text") {
    s.script?.forEach((step, j) => {
      if (step.interrupt_after_ms !== undefined) {
        ctx.addIssue({ code: "custom", path: ["script", j, "interrupt_after_ms"], message: "is voice only" });
      }
    });
  }
  for (const v of checkForwardedHeaders(s.metadata ?? {})) {
    ctx.addIssue({ code: "custom", path: ["metadata", v.field], message: v.message });
  }
}

export const scenarioCreateSchema = scenarioObjectSchema.superRefine(checkScenario);
export type ScenarioCreate = z.infer<typeof scenarioCreateSchema>;

const shape = scenarioObjectSchema.shape;
/**
 * Every field may change; an omitted one keeps its value and `null` removes an optional one.
 * The merged scenario is checked again with `scenarioCreateSchema`.
 */
export const scenarioPatchSchema = z.strictObject({
  key: shape.key.unwrap().nullable().optional(),
  agent_id: shape.agent_id.unwrap().nullable().optional(),
  expected_outcome: shape.expected_outcome.unwrap().nullable().optional(),
  name: shape.name.unwrap().nullable().optional(),
  tags: shape.tags.unwrap().nullable().optional(),
  channel: shape.channel.unwrap().nullable().optional(),
  metadata: shape.metadata.unwrap().nullable().optional(),
  script: shape.script.unwrap().nullable().optional(),
  persona: shape.persona.unwrap().nullable().optional(),
  goal: shape.goal.unwrap().nullable().optional(),
  max_turns: shape.max_turns.unwrap().nullable().optional(),
  send_dtmf: shape.send_dtmf.unwrap().nullable().optional(),
  assertions: shape.assertions.unwrap().nullable().optional(),
  repeat: shape.repeat.unwrap().nullable().optional(),
});
export type ScenarioPatchBody = z.infer<typeof scenarioPatchSchema>;

/** A scenario as answered: the create fields (absent ones null or omitted) and its ids and times. */
export const scenarioViewSchema = scenarioObjectSchema
  .omit({ key: true, agent_id: true, expected_outcome: true })
  .extend({
    id: objectId,
    key: z.string().nullable(),
    agent_id: objectId.nullable(),
    name: z.string().nullable(),
    tags: z.array(z.string()),
    expected_outcome: z.string().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  });
export type ScenarioView = z.infer<typeof scenarioViewSchema>;

/** `PUT /v1/suites` answers which agent and scenarios the suite is now. */
export const suiteUpsertResultSchema = z.object({
  agent_id: objectId,
  scenarios: z.array(z.object({ id: objectId, key: z.string() })),
});
export type SuiteUpsertResult = z.infer<typeof suiteUpsertResultSchema>;
