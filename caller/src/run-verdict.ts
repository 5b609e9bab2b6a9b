/**
 * The one pass/fail rule of every run, text and voice (spec: § Pass / fail). A run passes only
 * when it ended normally, the caller had nothing to complain about, a scripted caller played its
 * script to the end, every assertion held, and no critical metric of the agent failed (a
 * non-critical metric is reported only). Runners never decide `passed` themselves.
 */
import type {
  AssertionResult,
  EndedReason,
  FinalRunStatus,
  ScriptStep,
  TranscriptEntry,
} from "@spar/protocol";
import type { MetricResult } from "./agent-metrics.ts";
import { scriptLeftUnplayed } from "./script-progress.ts";

export interface VerdictInput {
  status: FinalRunStatus;
  endedReason: EndedReason;
  /** Why the run failed, or the failed expectation the caller hung up on; null when none. */
  problem: string | null;
  /** The scenario's script, for scripted runs. */
  script: readonly ScriptStep[] | undefined;
  transcript: readonly TranscriptEntry[];
  assertions: readonly AssertionResult[];
  /** The agent's metrics, evaluated after `assertions`; only failed critical ones count. */
  metrics?: readonly MetricResult[];
}

export interface Verdict {
  passed: boolean;
  /** Null when the run passed; else the first reason it did not, for a person. */
  error: string | null;
}

export function runVerdict(input: VerdictInput): Verdict {
  const unplayed =
    input.endedReason === "agent_ended" && input.script
      ? scriptLeftUnplayed(input.script, input.transcript)
      : null;
  const criticalFailures = (input.metrics ?? []).filter((m) => m.critical && !m.result.passed);
  const counted = [...input.assertions, ...criticalFailures.map((m) => m.result)];
  const passed =
    input.status === "completed" &&
    input.problem === null &&
    unplayed === null &&
    counted.every((a) => a.passed);
  if (passed) return { passed, error: null };
  const assertionDetail = failedAssertionsText(counted);
  return {
    passed,
    error: input.problem ?? unplayed ?? assertionDetail ?? `${input.status} / ${input.endedReason}`,
  };
}

/** The failed assertions as one line (`kind: detail; …`), the run's error when nothing else failed. */
export function failedAssertionsText(assertions: readonly AssertionResult[]): string | null {
  const failed = assertions.filter((a) => !a.passed);
  return failed.length === 0 ? null : failed.map((a) => `${a.kind}: ${a.detail}`).join("; ");
}
