/**
 * `spar serve`: the Spar gateway on this machine (Node, a libSQL file in the data folder; or,
 * with `--runtime workers`, the Worker in workerd through wrangler dev, offline, the data folder
 * its local persistence). The environment is validated before anything starts (exit 2 naming
 * each bad variable); the first start prints the new workspace's API key once. Ctrl-C or SIGTERM
 * stops accepting requests and exits 0 (on Node the runs in flight end first, each recorded; on
 * Workers they end at the next start's sweep).
 */
import type { CliContext } from "../cli-context.ts";
import { parseCommandArgs } from "../parse-command-args.ts";
import { SERVE_HELP } from "../usage.ts";
import { UsageError } from "../usage-error.ts";
import { type InProcessSidecar, lazyInProcessSidecar } from "./in-process-sidecar.ts";

const HINT = 'run "spar serve --help" for the options';

const OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  data: { type: "string" },
  runtime: { type: "string" },
} as const;

export async function serveCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const args = parseCommandArgs("serve", argv, OPTIONS);
  if (args.help) {
    ctx.stdout.write(`${SERVE_HELP}\n`);
    return 0;
  }
  const { values, positionals } = args;
  if (positionals.length > 0)
    throw new UsageError(`spar serve takes no arguments, got "${positionals[0]}"`, [], HINT);
  const port = values.port === undefined ? 8787 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, got "${values.port}"`, [], HINT);
  }
  const runtime = values.runtime ?? "node";
  if (runtime !== "node" && runtime !== "workers")
    throw new UsageError(`--runtime must be node or workers, got "${runtime}"`, [], HINT);

  // The gateway (libSQL, Hono) loads only for this command.
  const gateway = await import("@spar/gateway/node");
  const parsed = gateway.parseGatewayEnv(ctx.env);
  if (!parsed.ok) throw new UsageError("the environment is not valid for spar serve", parsed.errors);
  const dataDir = values.data ?? ".spar/gateway";
  const log = (entry: { level: string; message: string; requestId?: string; cause?: unknown }) => {
    const cause = entry.cause instanceof Error ? `: ${entry.cause.message}` : "";
    ctx.stderr.write(
      `spar serve: ${entry.level}: ${entry.message}${entry.requestId ? ` (${entry.requestId})` : ""}${cause}\n`,
    );
  };
  // Voice runs need a sidecar: without remote ones (SPAR_SIDECARS), one runs in this process.
  const sidecar: InProcessSidecar | undefined =
    runtime === "node" && parsed.config.sidecars.length === 0
      ? lazyInProcessSidecar(dataDir, ctx.env, (line) => ctx.stderr.write(`spar serve: ${line}\n`))
      : undefined;
  const running =
    runtime === "workers"
      ? await gateway.startWorkersDev({
          port,
          host: values.host ?? "127.0.0.1",
          dataDir,
          env: ctx.env,
          // The Worker's own lines; wrangler's banner and request lines stay out of the way.
          onLine: (line) => {
            if (line.startsWith("spar ") || /\bERROR\b|✘/.test(line))
              ctx.stderr.write(`spar serve: ${line}\n`);
          },
        })
      : await gateway.startGateway({
          port,
          host: values.host ?? "127.0.0.1",
          dataDir,
          config: parsed.config,
          inProcessSidecar: sidecar,
          log,
        });
  // The key first, "listening" last: a script that waits for the listening line has the key too.
  if (running.firstStartKey) {
    ctx.stdout.write(
      `First start: created workspace "default" with an API key (shown once, also in ${running.apiKeyFile}):\n  ${running.firstStartKey}\n`,
    );
  }
  ctx.stdout.write(`Spar gateway listening on ${running.url}\n`);
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  ctx.stdout.write(
    runtime === "workers"
      ? "spar serve: stopping workerd; runs in flight end at the next start\n"
      : "spar serve: stopping: ending the runs in flight\n",
  );
  await running.close();
  await sidecar?.close();
  return 0;
}
