/**
 * The gateway's metric object (docs/api.md § Metrics): a judge instruction or one suite
 * assertion, attached to agents and run on each of their runs after the scenario's own checks.
 */
import { z } from "zod";
import { assertionSchema } from "./suite.ts";

export const METRIC_KIND_VALUES = ["judge", "assertion"] as const;
export const METRIC_SCOPE_VALUES = ["text_and_voice", "text_only"] as const;

const objectId = z.number().int().positive();
const judgeSchema = z.string().min(1).max(8192);

const metricObjectSchema = z.strictObject({
  name: z.string().trim().min(1).max(256),
  kind: z.enum(METRIC_KIND_VALUES),
  /** The judge's instruction; only with `kind: judge`. */
  judge: judgeSchema.optional(),
  /** One suite assertion; only with `kind: assertion`. */
  assertion: assertionSchema.optional(),
  /** `text_only` metrics are skipped on voice runs (and reported as skipped). */
  applies_to: z.enum(METRIC_SCOPE_VALUES).default("text_and_voice"),
  /** A failed critical metric fails the run; a non-critical one is reported only. */
  critical: z.boolean().default(false),
});

export const metricCreateSchema = metricObjectSchema.superRefine((m, ctx) => {
  const needed = m.kind;
  const other = m.kind === "judge" ? "assertion" : "judge";
  if (m[needed] === undefined) {
    ctx.addIssue({ code: "custom", path: [needed], message: `is required with kind ${m.kind}` });
  }
  if (m[other] !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: [other],
      message: `is not allowed with kind ${m.kind}; use kind ${other}`,
    });
  }
});
export type MetricCreate = z.infer<typeof metricCreateSchema>;

/**
 * Every field may change; an omitted one keeps its value. Changing `kind` drops the field of
 * the old kind, so `{"kind": "judge", "judge": "…"}` turns an assertion metric into a judge.
 */
export const metricPatchSchema = z.strictObject({
  name: metricObjectSchema.shape.name.optional(),
  kind: metricObjectSchema.shape.kind.optional(),
  judge: judgeSchema.optional(),
  assertion: assertionSchema.optional(),
  applies_to: metricObjectSchema.shape.applies_to.unwrap().optional(),
  critical: metricObjectSchema.shape.critical.unwrap().optional(),
});
export type MetricPatchBody = z.infer<typeof metricPatchSchema>;

export const metricViewSchema = z.strictObject({
  id: objectId,
  name: z.string(),
  kind: z.enum(METRIC_KIND_VALUES),
  judge: z.string().optional(),
  assertion: assertionSchema.optional(),
  applies_to: z.enum(METRIC_SCOPE_VALUES),
  critical: z.boolean(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
export type MetricView = z.infer<typeof metricViewSchema>;
