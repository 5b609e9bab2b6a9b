/**
 * Assertions over a finished run (docs/suite-file.md § Assertions). Each yields `{kind, passed, detail}`
 * whose detail says what was expected and what was found, pass or fail.
 */
import { type Assertion, type AssertionResult, compilePattern, type LlmConfig } from "@spar/protocol";
import { show, subsetMismatch } from "./deep-subset.ts";
import { judgeTranscript } from "./judge.ts";
import { describePattern, quoteText } from "./quote-text.ts";
import type { RunOutcome } from "./run-outcome.ts";

export interface AssertionDeps {
  llm?: LlmConfig;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** Results in the order of `assertions`; the judges run concurrently. */
export function evaluateAssertions(
  assertions: readonly Assertion[],
  outcome: RunOutcome,
  deps: AssertionDeps,
): Promise<AssertionResult[]> {
  return Promise.all(assertions.map((a) => evaluate(a, outcome, deps)));
}

async function evaluate(a: Assertion, outcome: RunOutcome, deps: AssertionDeps): Promise<AssertionResult> {
  if ("agent_said" in a) return agentSaid(a.agent_said, outcome);
  if ("agent_never_said" in a) return agentNeverSaid(a.agent_never_said, outcome);
  if ("function_called" in a) return functionCalled(a.function_called, outcome);
  if ("ended_by" in a) {
    const passed = outcome.endedBy === a.ended_by;
    return { kind: "ended_by", passed, detail: `expected ended_by ${a.ended_by}, found ${outcome.endedBy}` };
  }
  if ("ended_reason" in a) {
    const passed = outcome.endedReason === a.ended_reason;
    return {
      kind: "ended_reason",
      passed,
      detail: `expected ended_reason ${a.ended_reason}, found ${outcome.endedReason}`,
    };
  }
  if ("max_latency_ms" in a) return maxLatency(a.max_latency_ms, outcome);
  if ("metadata" in a) {
    const mismatch = subsetMismatch(a.metadata, outcome.metadata);
    return {
      kind: "metadata",
      passed: mismatch === undefined,
      detail: mismatch ? `metadata.${mismatch}` : `metadata contains ${show(a.metadata)}`,
    };
  }
  return judge(a.judge, outcome, deps);
}

function agentTurns(outcome: RunOutcome): string[] {
  return outcome.transcript.filter((e) => e.role === "agent").map((e) => e.content);
}

function agentSaid(pattern: string, outcome: RunOutcome): AssertionResult {
  const p = compilePattern(pattern);
  const turns = agentTurns(outcome);
  const hit = turns.findIndex((t) => p.test(t));
  if (hit >= 0) {
    return {
      kind: "agent_said",
      passed: true,
      detail: `agent turn ${hit + 1} matched ${describePattern(pattern)}: ${quoteText(turns[hit] ?? "")}`,
    };
  }
  const last = turns.at(-1);
  return {
    kind: "agent_said",
    passed: false,
    detail:
      turns.length === 0
        ? `expected an agent turn matching ${describePattern(pattern)}, but the agent said nothing`
        : `expected an agent turn matching ${describePattern(pattern)}; none of ${turns.length} did (last: ${quoteText(last ?? "")})`,
  };
}

function agentNeverSaid(pattern: string, outcome: RunOutcome): AssertionResult {
  const p = compilePattern(pattern);
  const turns = agentTurns(outcome);
  const hit = turns.findIndex((t) => p.test(t));
  return hit >= 0
    ? {
        kind: "agent_never_said",
        passed: false,
        detail: `expected no agent turn matching ${describePattern(pattern)}, but turn ${hit + 1} did: ${quoteText(turns[hit] ?? "")}`,
      }
    : {
        kind: "agent_never_said",
        passed: true,
        detail: `none of ${turns.length} agent turns matched ${describePattern(pattern)}`,
      };
}

function functionCalled(
  want: { name: string; arguments?: Record<string, unknown> | undefined },
  outcome: RunOutcome,
): AssertionResult {
  const calls = outcome.transcript
    .filter((e) => e.role === "function_call")
    .map((e) => ({ name: e.data?.name, args: normalizeArguments(e.data?.arguments) }));
  const wanted = want.arguments ? `${want.name}(${show(want.arguments)} ⊆ arguments)` : want.name;
  const named = calls.filter((c) => c.name === want.name);
  const match = named.find((c) => want.arguments === undefined || !subsetMismatch(want.arguments, c.args));
  if (match)
    return { kind: "function_called", passed: true, detail: `called ${want.name}(${show(match.args)})` };
  if (named.length > 0) {
    const why = want.arguments ? subsetMismatch(want.arguments, named[0]?.args, "arguments") : undefined;
    return {
      kind: "function_called",
      passed: false,
      detail: `expected a call to ${wanted}; ${want.name} was called ${named.length} time(s) but the arguments differ (first: ${why})`,
    };
  }
  const seen =
    calls.length === 0
      ? "no function was called"
      : `calls seen: ${calls.map((c) => c.name ?? "(unnamed)").join(", ")}`;
  return { kind: "function_called", passed: false, detail: `expected a call to ${wanted}; ${seen}` };
}

/** The session stores arguments as sent; agents may send them as a JSON string (text-protocol.md). */
function normalizeArguments(args: unknown): unknown {
  if (typeof args !== "string") return args;
  try {
    const parsed: unknown = JSON.parse(args);
    return parsed;
  } catch {
    return args;
  }
}

function maxLatency(limitMs: number, outcome: RunOutcome): AssertionResult {
  const measured = outcome.transcript.flatMap((e, i) =>
    e.role === "agent" && e.latency_ms !== undefined ? [{ turn: i, ms: e.latency_ms }] : [],
  );
  if (measured.length === 0) {
    // The agent spoke but no reply was timed (a greeting is not a reply; a measurement that went
    // missing must not read as a pass): the limit cannot be shown to hold.
    const spoke = outcome.transcript.filter((e) => e.role === "agent").length;
    const answeredCaller = outcome.transcript.some(
      (e, i) => e.role === "agent" && outcome.transcript.slice(0, i).some((p) => p.role === "user"),
    );
    return answeredCaller
      ? {
          kind: "max_latency_ms",
          passed: false,
          detail: `the agent replied (${spoke} agent turns) but no reply's latency was measured, so the ${limitMs} ms limit cannot be checked`,
        }
      : {
          kind: "max_latency_ms",
          passed: true,
          detail: `no agent reply to a caller turn to check (limit ${limitMs} ms)`,
        };
  }
  const over = measured.filter((m) => m.ms > limitMs);
  const worst = Math.max(...measured.map((m) => m.ms));
  return over.length === 0
    ? {
        kind: "max_latency_ms",
        passed: true,
        detail: `all ${measured.length} agent turns within ${limitMs} ms (worst ${worst} ms)`,
      }
    : {
        kind: "max_latency_ms",
        passed: false,
        detail: `expected every agent turn within ${limitMs} ms; ${over.length} of ${measured.length} exceeded it (worst ${worst} ms)`,
      };
}

async function judge(criterion: string, outcome: RunOutcome, deps: AssertionDeps): Promise<AssertionResult> {
  if (!deps.llm) {
    return {
      kind: "judge",
      passed: false,
      detail: `cannot judge ${quoteText(criterion)}: no caller.llm is configured for the LLM judge`,
    };
  }
  try {
    const verdict = await judgeTranscript({
      llm: deps.llm,
      criterion,
      outcome,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      signal: deps.signal ?? new AbortController().signal,
    });
    return {
      kind: "judge",
      passed: verdict.verdict === "pass",
      detail: `judge ${verdict.verdict === "pass" ? "passed" : "failed"} ${quoteText(criterion)}: ${verdict.reasoning}`,
      reasoning: verdict.reasoning,
    };
  } catch (e) {
    // A cancelled run is not a verdict; let the session see the abort.
    if (deps.signal?.aborted) throw e;
    return {
      kind: "judge",
      passed: false,
      detail: `could not judge ${quoteText(criterion)}: ${errorMessage(e)}`,
    };
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
