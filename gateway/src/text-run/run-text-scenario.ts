/**
 * One text run: a scenario played once against the agent's X-RUBRIC endpoint, evaluated, and
 * reported in the JSON report's run shape. Used by the embedded CLI and the Node gateway.
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
import { runTextSession } from "../runtime/node/ws-text-session.ts";
import type { SessionConfig, SessionEvent } from "../text-session/session-types.ts";
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

export interface TextRunDeps {
  fetch?: typeof fetch;
  signal?: AbortSignal;
  onEvent?: (event: SessionEvent) => void;
  /** Each transcript entry as it is recorded (times not yet rounded). */
  onTranscript?: (entry: TranscriptEntry) => void;
  /** Connect timeout and close grace; defaults follow the spec (10 s, 5 s). */
  connectTimeoutMs?: number;
  closeGraceMs?: number;
}

export function sessionConfigFor(channel: TextChannel, deps: TextRunDeps = {}): SessionConfig {
  return {
    perTurnTimeoutMs: channel.per_turn_timeout_s * 1000,
    maxDurationMs: channel.max_duration_s * 1000,
    firstSpeaker: channel.first_speaker,
    settleMs: channel.settle_ms,
    connectTimeoutMs: deps.connectTimeoutMs ?? 10_000,
    closeGraceMs: deps.closeGraceMs ?? 5_000,
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** A transcript entry as reported: times to 0.1 ms, the same live (events) as in the run. */
function reportedEntry(e: TranscriptEntry): TranscriptEntry {
  const entry: TranscriptEntry = { ...e, at_ms: round(e.at_ms) };
  if (e.latency_ms !== undefined) entry.latency_ms = round(e.latency_ms);
  return entry;
}

export async function runTextScenario(input: TextRunInput, deps: TextRunDeps = {}): Promise<RunReport> {
  const { suite, scenario } = input;
  const channel = suite.agent.text;
  if (!channel) throw new Error(`scenario ${scenario.id} needs agent.text`);
  const fetchDeps = deps.fetch ? { fetch: deps.fetch } : {};
  const { onTranscript } = deps;
  const headers = {
    ...forwardedHeaders(scenario.metadata ?? {}),
    ...rubricHeaders({
      secret: channel.secret,
      agentId: suite.agent.id,
      scenarioId: scenario.id,
      runId: input.runId,
      batchId: input.batchId,
    }),
  };
  const result = await runTextSession({
    url: channel.url,
    headers,
    config: sessionConfigFor(channel, deps),
    caller: callerFor(scenario, suite, fetchDeps),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.onEvent ? { onEvent: deps.onEvent } : {}),
    ...(onTranscript ? { onTranscript: (e: TranscriptEntry) => onTranscript(reportedEntry(e)) } : {}),
  });
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
    ...fetchDeps,
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
