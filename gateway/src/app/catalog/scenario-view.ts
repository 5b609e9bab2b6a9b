/** A scenario as the API answers it, and a create body as storage takes it. */
import type { ScenarioCreate, ScenarioView } from "@spar/protocol";
import type { ScenarioInput, ScenarioRecord } from "../../db/repositories/scenarios.ts";
import { isoTime } from "../request-params.ts";

export function scenarioView(s: ScenarioRecord): ScenarioView {
  return {
    id: s.id,
    key: s.key,
    agent_id: s.agentId,
    name: s.name,
    tags: s.tags,
    ...s.body,
    expected_outcome: s.expectedOutcome,
    created_at: isoTime(s.createdAtMs),
    updated_at: isoTime(s.updatedAtMs),
  };
}

/** The create shape of a stored scenario: what a PATCH is merged into. */
export function scenarioAsCreate(s: ScenarioRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { ...s.body };
  if (s.key !== null) out.key = s.key;
  if (s.agentId !== null) out.agent_id = s.agentId;
  if (s.name !== null) out.name = s.name;
  if (s.tags.length > 0) out.tags = s.tags;
  if (s.expectedOutcome !== null) out.expected_outcome = s.expectedOutcome;
  return out;
}

/** Every field is written, so a PATCH that removed one clears its column. */
export function scenarioInput(body: ScenarioCreate): ScenarioInput {
  const { key, agent_id, name, tags, expected_outcome, ...rest } = body;
  return {
    key: key ?? null,
    agentId: agent_id ?? null,
    name: name ?? null,
    tags: tags ?? [],
    body: rest,
    expectedOutcome: expected_outcome ?? null,
  };
}
