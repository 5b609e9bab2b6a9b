/**
 * For the runs/test-runs/webhooks route tests: the route harness with a real text run host
 * whose recorder is the storage-backed DbRunRecorder, the real reference text agent on
 * loopback, and helpers to seed agents and scenarios straight through the repositories.
 */
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import type { RunReport, TranscriptEntry } from "@spar/protocol";
import { createAgent, updateAgent } from "../../db/repositories/agents.ts";
import { createScenario } from "../../db/repositories/scenarios.ts";
import type { ScenarioBody, StoredTextChannel } from "../../db/schema.ts";
import { sealContext } from "../../db/sealed-fields.ts";
import { DbRunRecorder } from "../../runs/db-run-recorder.ts";
import {
  DEFAULT_FLUSH_EVERY_MS,
  DEFAULT_MAX_BUFFERED_EVENTS,
  RunEventBuffer,
} from "../../runs/run-event-buffer.ts";
import type { RunRecorder, TextRunJob } from "../../runs/text-run-host.ts";
import { InProcessTextRunHost } from "../../runtime/node/in-process-text-run-host.ts";
import { createGatewayApp } from "../gateway-app.ts";
import type { GatewayServices } from "../services.ts";
import { type RouteHarness, startRouteHarness } from "./route-harness.fixture.ts";

/** The clock is fixed in route tests: no refill, so no limit (the limit has its own test). */
const UNLIMITED = { ratePerSec: 1, burst: Number.MAX_SAFE_INTEGER };

export const AGENT_SECRET = "agent-secret-5d1f0c9e";

/** Forwards to the DbRunRecorder once the harness's database exists; keeps every job it saw. */
class LateRecorder implements RunRecorder {
  target: RunRecorder | undefined;
  readonly jobs: TextRunJob[] = [];
  private get to(): RunRecorder {
    if (this.target === undefined) throw new Error("the recorder is not connected yet");
    return this.target;
  }
  started(job: TextRunJob, atMs: number) {
    this.jobs.push(job);
    return this.to.started(job, atMs);
  }
  transcript(job: TextRunJob, entry: TranscriptEntry) {
    return this.to.transcript(job, entry);
  }
  finished(job: TextRunJob, report: RunReport) {
    return this.to.finished(job, report);
  }
}

export interface RunsHarness extends RouteHarness {
  agent: ReferenceTextAgent;
  jobs: TextRunJob[];
  /** Sends a raw request (SSE, Bearer auth) to the same app. */
  request(path: string, init?: RequestInit): Promise<Response>;
  seedAgent(workspaceId: number, text?: Partial<StoredTextChannel> & { path?: string }): Promise<number>;
  seedScenario(
    workspaceId: number,
    body: ScenarioBody,
    extra?: { name?: string; tags?: string[] },
  ): Promise<number>;
  /** Polls the test run until its verdict is no longer pending. */
  settled(testRunId: number, key?: string): ReturnType<RouteHarness["call"]>;
  /** Set by a test that delivers webhooks: called whenever deliveries were queued. */
  onWake?: (() => void) | undefined;
}

export async function startRunsHarness(overrides: Partial<GatewayServices> = {}): Promise<RunsHarness> {
  const agent = await startReferenceTextAgent({ port: 0, secret: AGENT_SECRET });
  const recorder = new LateRecorder();
  // The deliverer a test may start needs the harness's database, so it is reached through the harness.
  let harness: RunsHarness | undefined;
  const host = new InProcessTextRunHost({
    recorder,
    perWorkspace: 4,
    checkUrl: async () => undefined,
    now: () => Date.parse("2026-12-04T12:00:00Z"),
    log: () => undefined,
  });
  const h = await startRouteHarness({
    textRuns: host,
    wakeWebhooks: () => harness?.onWake?.(),
    ...overrides,
  });
  recorder.target = new DbRunRecorder({
    db: h.services.db,
    now: h.services.now,
    publicUrl: h.services.publicUrl,
    wakeWebhooks: () => h.services.wakeWebhooks(),
    events: new RunEventBuffer({
      db: h.services.db,
      flushEveryMs: DEFAULT_FLUSH_EVERY_MS,
      maxEvents: DEFAULT_MAX_BUFFERED_EVENTS,
      log: () => undefined,
    }),
  });
  const app = createGatewayApp(h.services, () => "req_raw", UNLIMITED);
  harness = {
    ...h,
    agent,
    jobs: recorder.jobs,
    request: async (path, init) => app.request(path, init),
    async seedAgent(workspaceId, text = {}) {
      const { db, secrets } = h.services;
      const { path = "/echo", ...channel } = text;
      const created = await createAgent(
        db,
        workspaceId,
        {
          name: "Echo bot",
          text: {
            url: `${agent.url}${path}`,
            per_turn_timeout_s: 5,
            max_duration_s: 60,
            first_speaker: "caller",
            settle_ms: 20,
            ...channel,
          },
        },
        h.services.now(),
      );
      if (!created.ok) throw new Error("the agent was not created");
      const id = created.row.id;
      const sealed = await secrets.seal(AGENT_SECRET, sealContext(workspaceId, "agent.text.secret"));
      await updateAgent(
        db,
        workspaceId,
        id,
        { textSecret: { ciphertext: sealed, keyId: secrets.currentKeyId } },
        0,
      );
      return id;
    },
    async seedScenario(workspaceId, body, extra = {}) {
      const saved = await createScenario(
        h.services.db,
        workspaceId,
        { body, name: extra.name ?? null, tags: extra.tags ?? [] },
        h.services.now(),
      );
      if (!saved.ok) throw new Error("the scenario was not created");
      return saved.row.id;
    },
    async settled(testRunId, key = h.a.apiKey) {
      for (let i = 0; i < 300; i++) {
        const got = await h.call("GET", `/v1/test-runs/${testRunId}`, undefined, key);
        if (got.status !== 200 || got.body.verdict !== "pending") return got;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`test run ${testRunId} did not settle in 15 s`);
    },
    async close() {
      await h.close();
      await agent.close();
    },
  };
  return harness;
}

/** An SSE body as `{id, event, data}` records (comments, like heartbeats, kept as `comment`). */
export function parseSse(text: string): { id?: string; event?: string; data?: unknown; comment?: string }[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const record: { id?: string; event?: string; data?: unknown; comment?: string } = {};
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) record.comment = line.slice(1).trim();
        else if (line.startsWith("id: ")) record.id = line.slice(4);
        else if (line.startsWith("event: ")) record.event = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      if (data.length > 0) record.data = JSON.parse(data.join("\n"));
      return record;
    });
}
