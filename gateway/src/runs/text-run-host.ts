/**
 * The port a runtime fills in to run the gateway's text runs: Node holds each run's outbound
 * socket in-process; Workers give each run a Durable Object. The app only submits jobs; the
 * host reports what happens through a RunRecorder, which stores it (the result before `ended`).
 */
import type { RunMetric } from "@spar/caller";
import type { RunReport, Scenario, Suite, TranscriptEntry } from "@spar/protocol";
import type { TextRunInput } from "../text-run/text-run-report.ts";

export interface TextRunJob {
  workspaceId: number;
  testRunId: number;
  runId: number;
  attempt: number;
  /**
   * The agent and workspace settings as a one-scenario suite: `agent.id` is the agent's id and
   * the scenario's `id` the scenario's id (decimal strings), as the handshake headers send them.
   */
  suite: Suite;
  scenario: Scenario;
  /**
   * The agent's metrics, run after the scenario's assertions; judges use the suite's
   * `caller.llm` (the workspace LLM). Their results join the run's assertions as `metric:<name>`.
   */
  metrics: readonly RunMetric[];
}

export interface RunRecorder {
  started(job: TextRunJob, atMs: number): Promise<void>;
  transcript(job: TextRunJob, entry: TranscriptEntry): Promise<void>;
  /** Stores the final report; a run is reported finished only after this resolves. */
  finished(job: TextRunJob, report: RunReport): Promise<void>;
}

export interface TextRunHost {
  /** Queues the run; it starts when its workspace has a free slot. */
  submit(job: TextRunJob): void;
  /** How many runs are running or queued. */
  readonly pending: number;
  /** Ends every queued and running run as interrupted (shutdown), once each is recorded. */
  stop(reason: string): Promise<void>;
  /**
   * Ends these runs interrupted, with `reason` as their error, if this host holds them (queued
   * or running); resolves once each is recorded, with the ids it held. Others are ignored.
   */
  cancel(runIds: readonly number[], reason: string): Promise<number[]>;
}

/** What a host hands the text run for a job: the handshake sends the ids as decimal strings. */
export function textRunInputOf(job: TextRunJob): TextRunInput {
  return {
    suite: job.suite,
    scenario: job.scenario,
    attempt: job.attempt,
    runId: String(job.runId),
    batchId: String(job.testRunId),
    metrics: job.metrics,
  };
}
