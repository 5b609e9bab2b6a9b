/**
 * The runtime-neutral halves of one text run: what the session is configured and greeted with,
 * and the report built from the session's result (assertions, metrics, verdict). The Node shell
 * (`run-text-scenario.ts`) and the Workers Durable Object both drive a session between the two.
 */
import { callerFor, evaluateAssertions, evaluateMetrics, type RunMetric, runVerdict } from "@spar/caller";
import {
  forwardedHeaders,
  type RunReport,
  rubricHeaders,
  type Scenario,
  type Suite,
  type TextChannel,
  type TranscriptEntry,
} from "@spar/protocol";
import type { SessionConfig, SessionResult } from "../text-session/session-types.ts";
import { summarizeLatency } from "./latency-summary.ts";

export interface TextRunInput {
  suite: Suite;
  scenario: Scenario;
  attempt: number;
  runId: string;
  batchId: string;
  /** The agent's metrics (the gateway's), evaluated after the scenario's assertions. */
  metrics?: readonly RunMetric[];
}

export interface TextReportDeps {
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Connect timeout and close grace; defaults follow the spec (10 s, 5 s). */
  connectTimeoutMs?: number;
  closeGraceMs?: number;
}

export function sessionConfigFor(channel: TextChannel, deps: TextReportDeps = {}): SessionConfig {
  return {
    perTurnTimeoutMs: channel.per_turn_timeout_s * 1000,
    maxDurationMs: channel.max_duration_s * 1000,
    firstSpeaker: channel.first_speaker,
    settleMs: channel.settle_ms,
    connectTimeoutMs: deps.connectTimeoutMs ?? 10_000,
    closeGraceMs: deps.closeGraceMs ?? 5_000,
  };
}

/** The agent's text channel; a suite without one cannot run as text. */
export function textChannelOf(input: TextRunInput): TextChannel {
  const channel = input.suite.agent.text;
  if (!channel) throw new Error(`scenario ${input.scenario.id} needs agent.text`);
  return channel;
}

/** The handshake headers: X-RUBRIC-* identity plus the scenario's forwarded X-* metadata. */
export function handshakeHeaders(input: TextRunInput): Record<string, string> {
  const { suite, scenario } = input;
  return {
    ...forwardedHeaders(scenario.metadata ?? {}),
    ...rubricHeaders({
      secret: textChannelOf(input).secret,
      agentId: suite.agent.id,
      scenarioId: scenario.id,
      runId: input.runId,
      batchId: input.batchId,
    }),
  };
}

/** The caller brain that plays the scenario. */
export function callerOf(input: TextRunInput, deps: TextReportDeps = {}) {
  return callerFor(input.scenario, input.suite, deps.fetch ? { fetch: deps.fetch } : {});
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** A transcript entry as reported: times to 0.1 ms, the same live (events) as in the run. */
export function reportedEntry(e: TranscriptEntry): TranscriptEntry {
  const entry: TranscriptEntry = { ...e, at_ms: round(e.at_ms) };
  if (e.latency_ms !== undefined) entry.latency_ms = round(e.latency_ms);
  return entry;
}

/** The run's report from the session's result: assertions and metrics evaluated, the verdict applied. */
export async function reportTextRun(
  input: TextRunInput,
  result: SessionResult,
  deps: TextReportDeps = {},
): Promise<RunReport> {
  const { suite, scenario } = input;
  const transcript = result.transcript.map(reportedEntry);
  const outcome = {
    status: result.status,
    endedReason: result.endedReason,
    endedBy: result.endedBy,
    transcript,
    // What the agent reported, never the scenario's own metadata: `metadata` assertions check the agent.
    metadata: result.metadata,
  };
  const assertionDeps = {
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(suite.caller?.llm ? { llm: suite.caller.llm } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
  // An interrupted run gets no verdict, so nothing is evaluated (no judge call after Ctrl-C).
  const interrupted = result.status === "interrupted";
  const assertions = interrupted
    ? []
    : await evaluateAssertions(scenario.assertions ?? [], outcome, assertionDeps);
  const metrics =
    interrupted || !input.metrics?.length
      ? []
      : await evaluateMetrics(input.metrics, outcome, "text", assertionDeps);
  const verdict = runVerdict({
    status: result.status,
    endedReason: result.endedReason,
    problem: result.error,
    script: scenario.script,
    transcript,
    assertions,
    metrics,
  });
  const agentTurns = transcript.filter((e) => e.role === "agent");
  const latencies = agentTurns.flatMap((e) => (e.latency_ms === undefined ? [] : [e.latency_ms]));
  return {
    run_id: input.runId,
    scenario_id: scenario.id,
    attempt: input.attempt,
    channel: "text",
    status: result.status,
    ended_reason: result.endedReason,
    ended_by: result.endedBy,
    passed: verdict.passed,
    duration_ms: round(result.endedAt - result.startedAt),
    transcript,
    // Everything the scenario said about itself is recorded with the run; the agent's keys win.
    metadata: { ...(scenario.metadata ?? {}), ...result.metadata },
    assertions: [...assertions, ...metrics.map((m) => m.result)],
    metrics: { turns: agentTurns.length, latency_ms: summarizeLatency(latencies) },
    error: verdict.error,
  };
}

/** The report of a run whose agent URL the outbound policy refused at connect: it never connected. */
export function refusedReport(
  job: { runId: number; attempt: number; scenario: Scenario },
  why: string,
): RunReport {
  return platformFailedReport(job, "connection_failed", `the outbound policy refused the agent URL: ${why}`);
}

/** A run the platform ended before any agent was reached: failed, no turns, `error` saying why. */
export function platformFailedReport(
  job: { runId: number; attempt: number; scenario: Scenario },
  endedReason: "connection_failed" | "internal_error",
  error: string,
): RunReport {
  return {
    run_id: String(job.runId),
    scenario_id: job.scenario.id,
    attempt: job.attempt,
    channel: "text",
    status: "failed",
    ended_reason: endedReason,
    ended_by: "platform",
    passed: false,
    duration_ms: 0,
    transcript: [],
    metadata: job.scenario.metadata ?? {},
    assertions: [],
    metrics: { turns: 0, latency_ms: null },
    error,
  };
}
