/** `/v1/agents`: the agents a workspace tests, with their channels and metrics (docs/api.md § Agents). */
import { AppError, agentCreateSchema, agentPatchSchema } from "@spar/protocol";
import type { Hono } from "hono";
import { createAgent, deleteAgent, getAgent, listAgents, updateAgent } from "../../db/repositories/agents.ts";
import type { AppEnv } from "../app-env.ts";
import { agentView } from "../catalog/agent-view.ts";
import { type AgentWriteContext, agentInput, agentPatch } from "../catalog/agent-write.ts";
import { requireMetrics, savedFailure } from "../catalog/references.ts";
import { readJson } from "../json-body.ts";
import { pageRequest, pathId } from "../request-params.ts";
import type { GatewayServices } from "../services.ts";

const notFound = (id: number) => new AppError("not_found", `agent ${id} not found`);

export function agentRoutes(v1: Hono<AppEnv>, services: GatewayServices): void {
  const { db } = services;
  const writing = (workspaceId: number): AgentWriteContext => ({
    box: services.secrets,
    workspaceId,
    policy: services.outboundPolicy,
    at: "",
  });

  v1.post("/agents", async (c) => {
    const { workspaceId } = c.get("principal");
    const body = await readJson(c, agentCreateSchema);
    const input = await agentInput(body, writing(workspaceId));
    await requireMetrics(db, workspaceId, body.metric_ids);
    const saved = await createAgent(db, workspaceId, input, services.now());
    if (!saved.ok) throw savedFailure(saved, "agent", body.key);
    return c.json(agentView(saved.row), 201);
  });

  v1.get("/agents", async (c) => {
    const page = await listAgents(db, c.get("principal").workspaceId, pageRequest(c));
    return c.json({ data: page.rows.map(agentView), next_cursor: page.nextCursor });
  });

  v1.get("/agents/:id", async (c) => {
    const id = pathId(c, "agent");
    const agent = await getAgent(db, c.get("principal").workspaceId, id);
    if (!agent) throw notFound(id);
    return c.json(agentView(agent));
  });

  v1.patch("/agents/:id", async (c) => {
    const { workspaceId } = c.get("principal");
    const id = pathId(c, "agent");
    const body = await readJson(c, agentPatchSchema);
    const stored = await getAgent(db, workspaceId, id);
    if (!stored) throw notFound(id);
    const patch = await agentPatch(body, stored, writing(workspaceId));
    await requireMetrics(db, workspaceId, body.metric_ids);
    const saved = await updateAgent(db, workspaceId, id, patch, services.now());
    if (!saved) throw notFound(id);
    if (!saved.ok) throw savedFailure(saved, "agent", body.key);
    return c.json(agentView(saved.row));
  });

  v1.delete("/agents/:id", async (c) => {
    const id = pathId(c, "agent");
    if (!(await deleteAgent(db, c.get("principal").workspaceId, id))) throw notFound(id);
    return c.body(null, 204);
  });
}
