/**
 * `PUT /v1/suites`: suites as code. The suite file (as JSON) is checked by the suite loader;
 * then its agent is upserted by `agent.id` (its key) and each scenario by `id` (its key),
 * attached to that agent. The suite's channels replace the agent's; the agent's name and
 * metrics, and each scenario's `expected_outcome`, are kept. `caller` is not stored: runs
 * on the gateway use the workspace's LLM settings.
 */
import { AppError, parseSuite, type Suite, type SuiteUpsertResult } from "@spar/protocol";
import type { Hono } from "hono";
import { z } from "zod";
import { getAgentByKey, upsertAgentByKey } from "../../db/repositories/agents.ts";
import { type ScenarioInput, upsertScenarioByKey } from "../../db/repositories/scenarios.ts";
import type { AppEnv } from "../app-env.ts";
import { agentInput } from "../catalog/agent-write.ts";
import { savedFailure } from "../catalog/references.ts";
import { readJson } from "../json-body.ts";
import type { GatewayServices } from "../services.ts";

/** A scenario as stored, with the suite's `defaults` written into it so it means the same alone. */
function scenarioFromSuite(suite: Suite, s: Suite["scenarios"][number], agentId: number) {
  const { id: _key, name, tags, ...body } = s;
  if (body.channel === undefined && suite.defaults.channel !== "text") body.channel = suite.defaults.channel;
  if (body.repeat === undefined && suite.defaults.repeat !== 1) body.repeat = suite.defaults.repeat;
  const input: Omit<ScenarioInput, "key"> = { agentId, name: name ?? null, tags: tags ?? [], body };
  return input;
}

export function suiteRoutes(v1: Hono<AppEnv>, services: GatewayServices): void {
  const { db } = services;

  v1.put("/suites", async (c) => {
    const { workspaceId } = c.get("principal");
    const parsed = parseSuite(await readJson(c, z.unknown()));
    if (!parsed.ok) throw new AppError("bad_request", parsed.errors.join("; "));
    const { suite } = parsed;
    const key = suite.agent.id;
    const existing = await getAgentByKey(db, workspaceId, key);
    const input = await agentInput(
      { name: existing?.name ?? key, text: suite.agent.text, voice: suite.agent.voice },
      { box: services.secrets, workspaceId, policy: services.outboundPolicy, at: "agent." },
    );
    const agent = await upsertAgentByKey(db, workspaceId, key, input, services.now());
    if (!agent.ok) throw savedFailure(agent, "agent", key);
    const result: SuiteUpsertResult = { agent_id: agent.row.id, scenarios: [] };
    for (const s of suite.scenarios) {
      const saved = await upsertScenarioByKey(
        db,
        workspaceId,
        s.id,
        scenarioFromSuite(suite, s, agent.row.id),
        services.now(),
      );
      if (!saved.ok) throw savedFailure(saved, "scenario", s.id);
      result.scenarios.push({ id: saved.row.id, key: s.id });
    }
    return c.json(result);
  });
}
