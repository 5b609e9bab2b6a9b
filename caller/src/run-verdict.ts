/**
 * The one pass/fail rule of every run, text and voice (spec: § Pass / fail). A run passes only
 * when it ended normally, the caller had nothing to complain about, a scripted caller played its
 * script to the end, and every assertion held. Runners never decide `passed` themselves.
 */
import type {
  AssertionResult,
  EndedReason,
  FinalRunStatus,
  ScriptStep,
  TranscriptEntry,
} from "@spar/protocol";
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
  const failedAssertions = input.assertions.filter((a) => !a.passed);
  const passed =
    input.status === "completed" &&
    input.problem === null &&
    unplayed === null &&
    failedAssertions.length === 0;
  if (passed) return { passed, error: null };
  const assertionDetail = failedAssertionsText(input.assertions);
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
