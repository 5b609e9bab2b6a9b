/** `spar run`: load suites, run every selected scenario embedded, report, exit 0/1/2 (130 on Ctrl-C). */

import { join, resolve } from "node:path";
import { newId, type PlannedRun, runBatch, runTextScenario } from "@spar/gateway";
import {
  channelSchema,
  displayUrl,
  type RunReport,
  type Suite,
  type SuiteReport,
  urlProblem,
} from "@spar/protocol";
import type { CliContext } from "../cli-context.ts";
import { type GatewayClient, runOnGateway } from "../gateway-batch.ts";
import { EXIT_INTERRUPTED } from "../interrupt.ts";
import { loadSuite } from "../load-suite.ts";
import { notStartedRun } from "../not-started-run.ts";
import { parseCommandArgs } from "../parse-command-args.ts";
import { planRuns } from "../plan-runs.ts";
import { checkReportPath } from "../report/check-report-path.ts";
import { writeJsonReport } from "../report/json-report.ts";
import { writeJunit } from "../report/junit.ts";
import { createPlainProgress } from "../report/plain-progress.ts";
import { summarizeRuns } from "../report/suite-summary.ts";
import { renderSummaryTable } from "../report/summary-table.ts";
import { createTtyProgress } from "../report/tty-progress.ts";
import { RUN_HELP } from "../usage.ts";
import { UsageError } from "../usage-error.ts";

const HINT = 'run "spar run --help" for the options';

const MAX_CONCURRENCY = 1000;

const OPTIONS = {
  "agent-url": { type: "string" },
  secret: { type: "string" },
  channel: { type: "string" },
  tag: { type: "string", multiple: true },
  only: { type: "string", multiple: true },
  concurrency: { type: "string" },
  "report-json": { type: "string" },
  junit: { type: "string" },
  gateway: { type: "string" },
  "api-key": { type: "string" },
  verbose: { type: "boolean" },
} as const;

export async function runCommand(argv: readonly string[], parentCtx: CliContext): Promise<number> {
  const args = parseCommandArgs("run", argv, OPTIONS);
  if (args.help) {
    parentCtx.stdout.write(`${RUN_HELP}\n`);
    return 0;
  }
  const { values, positionals } = args;
  const ctx: CliContext = { ...parentCtx, verbose: values.verbose ?? parentCtx.verbose ?? false };
  const gateway = gatewayOf(
    values.gateway,
    values["api-key"] ?? ctx.env.SPAR_API_KEY,
    ctx.signal,
    values["api-key"] !== undefined,
  );
  const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new UsageError(
      `--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got "${values.concurrency}"`,
      [],
      HINT,
    );
  }
  const channel = values.channel === undefined ? undefined : channelSchema.safeParse(values.channel);
  if (channel && !channel.success)
    throw new UsageError(`--channel must be text or voice, got "${values.channel}"`, [], HINT);
  const agentUrlProblem =
    values["agent-url"] === undefined ? undefined : urlProblem(values["agent-url"], "ws");
  if (agentUrlProblem) {
    throw new UsageError(
      `--agent-url ${displayUrl(values["agent-url"] ?? "")}: ${agentUrlProblem}`,
      [],
      HINT,
    );
  }

  const jsonPath = values["report-json"];
  if (jsonPath !== undefined) await checkReportPath("--report-json", jsonPath, "report.json");
  if (values.junit !== undefined) await checkReportPath("--junit", values.junit, "junit.xml");
  if (jsonPath !== undefined && values.junit !== undefined && resolve(jsonPath) === resolve(values.junit)) {
    throw new UsageError(`--report-json and --junit both name ${jsonPath}; give each report its own file`);
  }

  const files = positionals.length > 0 ? positionals : ["spar.yaml"];
  const suites: { name: string; suite: Suite }[] = [];
  for (const file of files) {
    const overrides = { agentUrl: values["agent-url"], secret: values.secret };
    suites.push({ name: file, suite: await loadSuite(file, ctx.env, overrides) });
  }
  const filter = {
    ...(values.tag ? { tags: values.tag } : {}),
    ...(values.only ? { only: values.only } : {}),
    ...(channel?.success ? { channel: channel.data } : {}),
  };
  const plan = planRuns(suites, filter);
  if (ctx.verbose) {
    const voiceRuns = plan.filter((r) => r.channel === "voice").length;
    ctx.stderr.write(
      `spar run: ${plan.length} run${plan.length === 1 ? "" : "s"} planned (${plan.length - voiceRuns} text, ${voiceRuns} voice) from ${files.join(", ")}, concurrency ${concurrency}\n`,
    );
  }
  // The voice stack (rtc-node, speech engines) loads only when a voice run is planned here.
  const voice =
    !gateway && plan.some((r) => r.channel === "voice") ? await import("@spar/sidecar") : undefined;
  // rtc-node's native runtime is per process: the process's owner shuts it down when it is done.
  if (voice) ctx.atExit(() => voice.disposeMediaRuntime());
  // rtc-node's own debug/warn JSON lines would land between the progress lines and the table.
  voice?.setRtcLogLevel(ctx.verbose ? "debug" : "error");

  const batchId = newId("batch");
  const startedAt = new Date();
  const t0 = performance.now();
  const progress = ctx.interactive
    ? createTtyProgress(ctx.stdout, plan.length, { color: ctx.color })
    : createPlainProgress(ctx.stdout);
  // Runs Ctrl-C stopped before they started: reported interrupted, never shown one by one.
  const notStarted = new Set<string>();
  const runs = gateway
    ? await runOnGateway(gateway, plan, progress)
    : await runBatch(
        plan,
        concurrency,
        async (run: PlannedRun): Promise<RunReport> => {
          if (ctx.signal.aborted) {
            notStarted.add(run.runId);
            return notStartedRun(run);
          }
          const input = {
            suite: run.suite,
            scenario: run.scenario,
            attempt: run.attempt,
            runId: run.runId,
            batchId,
          };
          if (run.channel === "voice" && voice) {
            // `agent.voice.chat`: the caller writes over LiveKit text streams; reported as a text run.
            return run.suite.agent.voice?.chat
              ? voice.runChatScenario(input, { signal: ctx.signal })
              : voice.runVoiceScenario(input, {
                  signal: ctx.signal,
                  recordingsDir: join(ctx.outputDir, "recordings"),
                });
          }
          return runTextScenario(input, { signal: ctx.signal });
        },
        {
          runStarted: (run) => {
            if (!ctx.signal.aborted) progress.runStarted(run.runId, run.scenario.id, run.attempt);
          },
          runFinished: (run, report) => {
            if (!notStarted.has(run.runId)) progress.runFinished(report);
          },
        },
      );
  progress.done();
  const report: SuiteReport = {
    suite: files.join(","),
    batch_id: batchId,
    started_at: startedAt.toISOString(),
    duration_ms: Math.round(performance.now() - t0),
    summary: summarizeRuns(runs),
    runs,
  };
  ctx.stdout.write(`${renderSummaryTable(report, { color: ctx.color })}\n`);
  if (values["report-json"]) {
    await writeJsonReport(values["report-json"], report);
    ctx.stdout.write(`JSON report: ${values["report-json"]}\n`);
  }
  if (values.junit) {
    await writeJunit(values.junit, report);
    ctx.stdout.write(`JUnit report: ${values.junit}\n`);
  }
  if (ctx.signal.aborted) return EXIT_INTERRUPTED;
  // Exit 0 only when every run passed: a run without a verdict is never a green build.
  return report.summary.passed === report.summary.total ? 0 : 1;
}

/** `--gateway URL` with its key (`--api-key`, else SPAR_API_KEY), or undefined to run embedded. */
function gatewayOf(
  url: string | undefined,
  apiKey: string | undefined,
  signal: AbortSignal,
  apiKeyFlagGiven: boolean,
): GatewayClient | undefined {
  if (url === undefined) {
    if (apiKeyFlagGiven) {
      throw new UsageError("--api-key is only for --gateway URL; add --gateway or drop --api-key", [], HINT);
    }
    return undefined;
  }
  const problem = urlProblem(url, "http");
  if (problem) throw new UsageError(`--gateway ${displayUrl(url)}: ${problem}`, [], HINT);
  if (!apiKey) {
    throw new UsageError("--gateway needs an API key: give --api-key K or set SPAR_API_KEY", [], HINT);
  }
  return { baseUrl: url.replace(/\/+$/, ""), apiKey, signal };
}
