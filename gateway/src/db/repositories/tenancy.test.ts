// Another workspace's object is simply not there: every read answers undefined or leaves it
// out, every update or delete answers undefined/false and changes nothing.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAgent, deleteAgent, getAgent, getAgentByKey, listAgents, updateAgent } from "./agents.ts";
import { openTwoWorkspaces, type TwoWorkspaces } from "./db-test-setup.fixture.ts";
import { createMetric, deleteMetric, getMetric, listMetrics, updateMetric } from "./metrics.ts";
import { appendRunEvent, listRunEvents } from "./run-events.ts";
import { createRuns, finishRun, getRun, getRunsByIds, listRunsOfTestRun, startRun } from "./runs.ts";
import { createScenario, deleteScenario, getScenario, listScenarios, updateScenario } from "./scenarios.ts";
import { createTestRun, finishTestRun, getTestRun, listTestRuns, tallyTestRun } from "./test-runs.ts";
import {
  createWebhook,
  deleteWebhook,
  enqueueDelivery,
  getDelivery,
  getWebhook,
  listWebhooks,
} from "./webhooks.ts";

let t: TwoWorkspaces;
beforeEach(async () => {
  t = await openTwoWorkspaces();
});
afterEach(() => t.storage.dispose());

function must<T>(saved: { ok: true; row: T } | { ok: false }): T {
  if (!saved.ok) throw new Error(`setup: ${JSON.stringify(saved)}`);
  return saved.row;
}

describe("tenancy", () => {
  it("hides A's agents, scenarios and metrics from B", async () => {
    const agent = must(await createAgent(t.db, t.a, { name: "A", key: "a-bot" }, 1));
    const scenario = must(
      await createScenario(t.db, t.a, { key: "s", agentId: agent.id, body: { script: [{ end: true }] } }, 1),
    );
    const metric = await createMetric(
      t.db,
      t.a,
      { name: "m", kind: "judge", judge: "j", appliesTo: "text_only", critical: false },
      1,
    );

    expect(await getAgent(t.db, t.b, agent.id)).toBeUndefined();
    expect(await getAgentByKey(t.db, t.b, "a-bot")).toBeUndefined();
    expect(await updateAgent(t.db, t.b, agent.id, { name: "pwned" }, 2)).toBeUndefined();
    expect(await deleteAgent(t.db, t.b, agent.id)).toBe(false);
    expect((await listAgents(t.db, t.b, { limit: 100 })).rows).toEqual([]);

    expect(await getScenario(t.db, t.b, scenario.id)).toBeUndefined();
    expect(await updateScenario(t.db, t.b, scenario.id, { name: "pwned" }, 2)).toBeUndefined();
    expect(await deleteScenario(t.db, t.b, scenario.id)).toBe(false);
    expect((await listScenarios(t.db, t.b, { agentId: agent.id }, { limit: 100 })).rows).toEqual([]);

    expect(await getMetric(t.db, t.b, metric.id)).toBeUndefined();
    expect(await updateMetric(t.db, t.b, metric.id, { name: "pwned" }, 2)).toBeUndefined();
    expect(await deleteMetric(t.db, t.b, metric.id)).toBe(false);
    expect((await listMetrics(t.db, t.b, { limit: 100 })).rows).toEqual([]);

    expect((await getAgent(t.db, t.a, agent.id))?.name).toBe("A");
    expect((await getScenario(t.db, t.a, scenario.id))?.name).toBeNull();
    expect((await getMetric(t.db, t.a, metric.id))?.name).toBe("m");
  });

  it("hides A's test runs, runs and run events from B", async () => {
    const agent = must(await createAgent(t.db, t.a, { name: "A" }, 1));
    const testRun = must(
      await createTestRun(
        t.db,
        t.a,
        { agentId: agent.id, channel: "text", frequency: 1, successThreshold: 100 },
        1,
      ),
    );
    const [run] =
      (await createRuns(
        t.db,
        t.a,
        testRun.id,
        [{ agentId: agent.id, scenarioId: null, scenarioName: "s", attempt: 1, channel: "text" }],
        1,
      )) ?? [];
    const runId = run?.id ?? 0;
    await appendRunEvent(t.db, t.a, runId, { type: "status", data: { status: "queued" }, nowMs: 1 });

    expect(await getTestRun(t.db, t.b, testRun.id)).toBeUndefined();
    expect((await listTestRuns(t.db, t.b, { limit: 100 })).rows).toEqual([]);
    expect((await tallyTestRun(t.db, t.b, testRun.id)).total).toBe(0);
    expect(await finishTestRun(t.db, t.b, testRun.id, "failed", 2)).toBe(false);
    expect(await createRuns(t.db, t.b, testRun.id, [], 2)).toBeUndefined();

    expect(await getRun(t.db, t.b, runId)).toBeUndefined();
    expect(await getRunsByIds(t.db, t.b, [runId])).toEqual([]);
    expect(await listRunsOfTestRun(t.db, t.b, testRun.id)).toEqual([]);
    expect(await startRun(t.db, t.b, runId, { startedAtMs: 2, deadlineAtMs: 3 })).toBe(false);
    expect(
      await finishRun(t.db, t.b, runId, {
        status: "failed",
        endedReason: "internal_error",
        endedBy: "platform",
        passed: false,
        error: "pwned",
        transcript: [],
        assertions: [],
        metrics: {},
        endedAtMs: 2,
      }),
    ).toBeUndefined();
    expect(await appendRunEvent(t.db, t.b, runId, { type: "ended", data: {}, nowMs: 2 })).toBeUndefined();
    expect(await listRunEvents(t.db, t.b, runId, { afterSeq: 0, limit: 100 })).toEqual([]);

    expect(await getTestRun(t.db, t.a, testRun.id)).toMatchObject({ status: "running", verdict: "pending" });
    expect(await getRun(t.db, t.a, runId)).toMatchObject({ status: "queued", error: null });
    expect((await listRunEvents(t.db, t.a, runId, { afterSeq: 0, limit: 100 })).map((e) => e.type)).toEqual([
      "status",
    ]);
  });

  it("hides A's webhooks and deliveries from B", async () => {
    const hook = await createWebhook(
      t.db,
      t.a,
      { url: "https://h.example.com", events: ["run.finished"], secret: { ciphertext: "c", keyId: "k" } },
      1,
    );
    await enqueueDelivery(t.db, t.a, {
      webhookId: hook.id,
      eventId: "evt_1",
      type: "run.finished",
      body: "{}",
      nowMs: 1,
    });

    expect(await getWebhook(t.db, t.b, hook.id)).toBeUndefined();
    expect((await listWebhooks(t.db, t.b, { limit: 100 })).rows).toEqual([]);
    expect(await deleteWebhook(t.db, t.b, hook.id)).toBe(false);
    expect(
      await enqueueDelivery(t.db, t.b, {
        webhookId: hook.id,
        eventId: "evt_2",
        type: "run.finished",
        body: "{}",
        nowMs: 1,
      }),
    ).toBe(false);
    expect(await getDelivery(t.db, t.b, 1)).toBeUndefined();

    expect((await getWebhook(t.db, t.a, hook.id))?.url).toBe("https://h.example.com");
    expect((await getDelivery(t.db, t.a, 1))?.eventId).toBe("evt_1");
  });
});
