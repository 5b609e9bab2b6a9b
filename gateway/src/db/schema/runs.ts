/** Test runs, the runs they hold, and each run's event log (the SSE stream's source). */
import type {
  AssertionResult,
  Channel,
  EndedBy,
  EndedReason,
  RunStatus,
  TranscriptEntry,
} from "@spar/protocol";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { JsonObject } from "./catalog.ts";
import { workspaces } from "./tenants.ts";

export const TEST_RUN_STATUSES = ["running", "done"] as const;
export type TestRunStatus = (typeof TEST_RUN_STATUSES)[number];
export const TEST_RUN_VERDICTS = ["pending", "passed", "failed"] as const;
export type TestRunVerdict = (typeof TEST_RUN_VERDICTS)[number];

export const RUN_EVENT_TYPES = ["status", "transcript", "ended"] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

// agent_id and scenario_id carry no foreign key on purpose: deleting an agent or a scenario
// must not rewrite or forbid the history of what ran against it.
export const testRuns = sqliteTable(
  "test_runs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    agentId: integer("agent_id").notNull(),
    channel: text("channel").$type<Channel>().notNull(),
    frequency: integer("frequency").notNull(),
    /** Percent, 0–100. */
    successThreshold: real("success_threshold").notNull(),
    name: text("name"),
    ciMetadata: text("ci_metadata_json", { mode: "json" }).$type<JsonObject>(),
    status: text("status", { enum: TEST_RUN_STATUSES }).notNull(),
    verdict: text("verdict", { enum: TEST_RUN_VERDICTS }).notNull(),
    createdAtMs: integer("created_at_ms").notNull(),
    finishedAtMs: integer("finished_at_ms"),
  },
  (t) => [index("test_runs_workspace").on(t.workspaceId), index("test_runs_status").on(t.status)],
);

export const runs = sqliteTable(
  "runs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    testRunId: integer("test_run_id")
      .notNull()
      .references(() => testRuns.id),
    agentId: integer("agent_id").notNull(),
    scenarioId: integer("scenario_id"),
    /** Copied at creation so a report still names a scenario deleted since. */
    scenarioName: text("scenario_name").notNull(),
    attempt: integer("attempt").notNull(),
    channel: text("channel").$type<Channel>().notNull(),
    status: text("status").$type<RunStatus>().notNull(),
    endedReason: text("ended_reason").$type<EndedReason>(),
    endedBy: text("ended_by").$type<EndedBy>(),
    /** NULL until the run has ended and been evaluated. */
    passed: integer("passed", { mode: "boolean" }),
    error: text("error"),
    transcript: text("transcript_json", { mode: "json" }).$type<TranscriptEntry[]>().notNull(),
    metadata: text("metadata_json", { mode: "json" }).$type<JsonObject>().notNull(),
    assertions: text("assertions_json", { mode: "json" }).$type<AssertionResult[]>().notNull(),
    metrics: text("metrics_json", { mode: "json" }).$type<JsonObject>().notNull(),
    /** Voice only: `{stereo_url, participants, sample_rate_hz}`. */
    recording: text("recording_json", { mode: "json" }).$type<JsonObject>(),
    createdAtMs: integer("created_at_ms").notNull(),
    startedAtMs: integer("started_at_ms"),
    endedAtMs: integer("ended_at_ms"),
    /** Past this a sweeper (Node) or an alarm (Workers) ends the run `failed`. */
    deadlineAtMs: integer("deadline_at_ms"),
    /**
     * As its holder measured it (the report's `duration_ms`); null until the run ends. Last, as
     * migration 0002 added it: createRuns' INSERT … SELECT pairs columns by position.
     */
    durationMs: real("duration_ms"),
  },
  (t) => [
    index("runs_workspace").on(t.workspaceId),
    // A test run's view and its settling count its runs by status and outcome: this index
    // answers them without reading the rows (and their transcripts).
    index("runs_test_run_outcome").on(t.testRunId, t.workspaceId, t.status, t.passed),
    index("runs_status_deadline").on(t.status, t.deadlineAtMs),
  ],
);

export const runEvents = sqliteTable(
  "run_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    runId: integer("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    /** 1, 2, 3… per run: the SSE `id:` that `Last-Event-ID` resumes after. */
    seq: integer("seq").notNull(),
    type: text("type", { enum: RUN_EVENT_TYPES }).notNull(),
    data: text("data_json", { mode: "json" }).$type<unknown>().notNull(),
    createdAtMs: integer("created_at_ms").notNull(),
    /**
     * A voice run's live event: the sidecar's own seq for it (its job's event stream), so the
     * last one stored is where a follower resumes and a repeated event is stored once. Null for
     * events the gateway makes itself.
     */
    sourceSeq: integer("source_seq"),
  },
  (t) => [
    uniqueIndex("run_events_run_seq").on(t.runId, t.seq),
    uniqueIndex("run_events_run_source_seq").on(t.runId, t.sourceSeq),
  ],
);
