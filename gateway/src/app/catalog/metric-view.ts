/** A metric as the API answers it, and a create body as storage takes it. */
import type { MetricCreate, MetricView } from "@spar/protocol";
import type { MetricInput, MetricRecord } from "../../db/repositories/metrics.ts";
import { isoTime } from "../request-params.ts";

export function metricView(m: MetricRecord): MetricView {
  return {
    id: m.id,
    name: m.name,
    kind: m.kind,
    ...(m.kind === "judge" && m.judge !== null ? { judge: m.judge } : {}),
    ...(m.kind === "assertion" && m.assertion !== null ? { assertion: m.assertion } : {}),
    applies_to: m.appliesTo,
    critical: m.critical,
    created_at: isoTime(m.createdAtMs),
    updated_at: isoTime(m.updatedAtMs),
  };
}

/** The create shape of a stored metric: what a PATCH is merged into. */
export function metricAsCreate(m: MetricRecord): Record<string, unknown> {
  const view: Record<string, unknown> = { ...metricView(m) };
  for (const field of ["id", "created_at", "updated_at"]) delete view[field];
  return view;
}

/** Both kind fields are written, so the one of a kind no longer used is cleared. */
export function metricInput(body: MetricCreate): MetricInput {
  return {
    name: body.name,
    kind: body.kind,
    judge: body.judge ?? null,
    assertion: body.assertion ?? null,
    appliesTo: body.applies_to,
    critical: body.critical,
  };
}
