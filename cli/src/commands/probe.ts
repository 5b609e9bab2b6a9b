/**
 * `spar probe URL --secret S`: connects exactly as the platform does (same headers, same
 * session core), sends the turns, prints every frame with its timing and what it was read as,
 * and exits non-zero on the first violation, timeout or rejected secret, naming the rule.
 */
import { createScriptedCaller, scriptLeftUnplayed } from "@spar/caller";
import { newId, runTextSession, type SessionEvent, type SessionResult } from "@spar/gateway";
import {
  checkForwardedHeaders,
  decodeAgentFrame,
  displayUrl,
  encodeCallerFrame,
  quoteFrame,
  redactUrls,
  rubricHeaders,
  urlProblem,
} from "@spar/protocol";
import type { CliContext } from "../cli-context.ts";
import { EXIT_INTERRUPTED } from "../interrupt.ts";
import { parseCommandArgs } from "../parse-command-args.ts";
import { PROBE_HELP } from "../usage.ts";
import { UsageError } from "../usage-error.ts";

const HINT = 'run "spar probe --help" for the options';

const RULES: Record<string, string> = {
  connection_failed:
    "the agent must accept the WebSocket upgrade and the secret (docs/text-protocol.md § Handshake headers)",
  agent_timeout: "the agent must reply to each caller message within the per-turn timeout",
  protocol_error:
    "every agent frame must be one of the accepted shapes (docs/text-protocol.md § Frames: agent → platform)",
  connection_lost:
    "the agent must not drop the socket or close it with an error code; end with end_call or a normal close (1000, 1001, 1005, 4000-4999)",
  no_reply: "the agent must reply to each caller message with a content frame before it ends the call",
  max_duration: "the conversation must end within max_duration_s",
  internal_error: "the probe itself failed",
};

const OPTIONS = {
  secret: { type: "string" },
  "agent-id": { type: "string" },
  header: { type: "string", multiple: true },
  say: { type: "string", multiple: true },
  "first-speaker": { type: "string" },
  "timeout-s": { type: "string" },
  verbose: { type: "boolean" },
} as const;

export async function probeCommand(argv: readonly string[], parentCtx: CliContext): Promise<number> {
  const args = parseCommandArgs("probe", argv, OPTIONS);
  if (args.help) {
    parentCtx.stdout.write(`${PROBE_HELP}\n`);
    return 0;
  }
  const { values, positionals } = args;
  const ctx: CliContext = { ...parentCtx, verbose: values.verbose ?? parentCtx.verbose ?? false };
  const url = positionals[0];
  if (!url || positionals.length > 1) {
    throw new UsageError(
      `takes one agent URL, got ${positionals.length}; e.g. spar probe ws://127.0.0.1:8080/ws --secret S`,
      [],
      HINT,
    );
  }
  const problem = urlProblem(url, "ws");
  if (problem) throw new UsageError(`${displayUrl(url)}: ${problem}`, [], HINT);
  if (!values.secret)
    throw new UsageError("--secret is required: the X-RUBRIC-SECRET your agent checks", [], HINT);
  const timeoutS = values["timeout-s"] === undefined ? 10 : Number(values["timeout-s"]);
  if (!(timeoutS > 0 && timeoutS <= 3600)) {
    throw new UsageError(
      `--timeout-s must be a number of seconds, 0 < N ≤ 3600, got "${values["timeout-s"]}"`,
      [],
      HINT,
    );
  }
  const firstSpeaker = values["first-speaker"] ?? "caller";
  if (firstSpeaker !== "caller" && firstSpeaker !== "agent") {
    throw new UsageError(`--first-speaker must be caller or agent, got "${firstSpeaker}"`, [], HINT);
  }
  const extra: Record<string, string> = {};
  for (const h of values.header ?? []) {
    const eq = h.indexOf("=");
    if (eq <= 0) throw new UsageError(`--header "${h}" must look like X-Name=value`, [], HINT);
    extra[h.slice(0, eq)] = h.slice(eq + 1);
  }
  const violations = checkForwardedHeaders(extra);
  const notForwarded = Object.keys(extra).filter((k) => !/^x-/i.test(k));
  if (violations.length > 0 || notForwarded.length > 0) {
    const first = violations[0];
    throw new UsageError(
      first
        ? `--header ${first.field} ${first.message}`
        : `--header ${notForwarded[0]}: only X-* headers are sent; rename it X-${notForwarded[0]}`,
    );
  }
  const says = values.say?.length ? values.say : ["Hello, this is a probe from Spar. Can you hear me?"];
  const script = says.map((say) => ({ say }));
  const runId = newId("run");
  const out = ctx.stdout;
  const started = performance.now();
  const stamp = (at: number) => `+${(at - started).toFixed(1).padStart(8)} ms`;
  out.write(`probing ${displayUrl(url)} (run ${runId})\n`);

  const result = await runTextSession({
    url,
    headers: {
      ...extra,
      ...rubricHeaders({
        secret: values.secret,
        agentId: values["agent-id"] ?? "probe",
        scenarioId: "probe",
        runId,
        batchId: newId("batch"),
      }),
    },
    config: {
      perTurnTimeoutMs: timeoutS * 1000,
      maxDurationMs: Math.max(60_000, (says.length + 2) * timeoutS * 1000),
      firstSpeaker,
      settleMs: 300,
      connectTimeoutMs: 10_000,
      closeGraceMs: 5_000,
    },
    caller: createScriptedCaller(script),
    signal: ctx.signal,
    onEvent: (e: SessionEvent) => out.write(describeEvent(e, stamp)),
  });

  if (result.status === "interrupted") {
    out.write("interrupted: no verdict\n");
    return EXIT_INTERRUPTED;
  }
  const failure = probeFailure(result, script);
  if (failure === null) {
    const replies = result.transcript.filter((t) => t.role === "agent").length;
    out.write(
      `ok: ${replies} repl${replies === 1 ? "y" : "ies"}, ended ${result.endedReason}; every frame follows the protocol\n`,
    );
    return 0;
  }
  out.write(`FAIL ${failure.reason}: ${redactUrls(failure.detail)}\n`);
  out.write(`rule: ${RULES[failure.reason] ?? failure.reason}\n`);
  return 1;
}

/**
 * Why the probe fails: the session's own failure, or an agent that ended the call (cleanly)
 * without answering the first message or before every probe line was sent.
 */
function probeFailure(
  result: SessionResult,
  script: { say: string }[],
): { reason: string; detail: string } | null {
  if (result.status !== "completed") return { reason: result.endedReason, detail: result.error ?? "" };
  const firstLine = result.transcript.findIndex((e) => e.role === "user");
  const answered = firstLine !== -1 && result.transcript.slice(firstLine + 1).some((e) => e.role === "agent");
  if (!answered) {
    const when =
      firstLine === -1 ? "before the probe's first message" : "without replying to the first message";
    return { reason: "no_reply", detail: `the agent ended the call ${when}` };
  }
  const unplayed =
    result.endedReason === "agent_ended" ? scriptLeftUnplayed(script, result.transcript) : null;
  return unplayed === null ? null : { reason: "no_reply", detail: unplayed };
}

function describeEvent(e: SessionEvent, stamp: (at: number) => string): string {
  switch (e.type) {
    case "connected":
      return `${stamp(e.at)}  connected\n`;
    case "caller_move":
      if (e.move.kind === "say")
        return `${stamp(e.at)}  → ${encodeCallerFrame({ type: "message", content: e.move.text })}\n`;
      if (e.move.kind === "end") return `${stamp(e.at)}  → ${encodeCallerFrame({ type: "end_call" })}\n`;
      return "";
    case "frame": {
      const decoded = decodeAgentFrame(e.data);
      const as = decoded.ok
        ? `ok (${decoded.event.kind})`
        : `VIOLATION: ${decoded.error.split("; frame:")[0]}`;
      return `${stamp(e.at)}  ← ${quoteFrame(e.data, 300)}   ${as}\n`;
    }
    case "closed":
      return `${stamp(e.at)}  closed ${e.code}${e.reason ? ` "${e.reason}"` : ""}\n`;
    case "connect_failed":
      return `${stamp(e.at)}  could not connect: ${redactUrls(e.detail)}\n`;
    default:
      return "";
  }
}
