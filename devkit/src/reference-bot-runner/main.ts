// Composition root of `reference-bot-runner` (see devkit/bin): the only file here that reads the
// command line, the environment or process state.
import { isAbsolute, resolve } from "node:path";
import { parseRunnerCliArgs } from "./cli-args.ts";
import { type ReferenceBotRunner, startReferenceBotRunner } from "./start-reference-bot-runner.ts";
import type { ReferenceBotWorker } from "./start-reference-bot-worker.ts";

const parsed = parseRunnerCliArgs(process.argv.slice(2), process.env);
if (!parsed.ok) {
  (parsed.help ? process.stdout : process.stderr).write(`${parsed.message}\n`);
  process.exit(parsed.help ? 0 : 2);
}
const { options } = parsed;
const log = (line: string) => process.stderr.write(`reference-bot-runner: ${line}\n`);

let runner: ReferenceBotRunner | undefined;
let worker: ReferenceBotWorker | undefined;
try {
  runner = await startReferenceBotRunner({
    livekitUrl: options.livekitUrl,
    apiKey: options.apiKey,
    apiSecret: options.apiSecret,
    port: options.port,
    host: options.host,
    ...(options.requireBearer !== undefined ? { requireBearer: options.requireBearer } : {}),
    log,
  });
  process.stdout.write(`listening on ${runner.url} (POST /api/create-and-join, /api/session, /token)\n`);
  if (options.worker) {
    // agents-js forks each job with this process's execArgv; the bin loaded TypeScript through
    // tsx's API, so the job process is told to load it too, or it could not import the agent file.
    const tsx = import.meta.resolve("tsx");
    if (!process.execArgv.includes(tsx)) process.execArgv.push("--import", tsx);
    // agents-js is loaded only for the worker: it is most of the command's start-up time.
    const { initializeLogger } = await import("@livekit/agents");
    const { startReferenceBotWorker } = await import("./start-reference-bot-worker.ts");
    initializeLogger({ pretty: false, level: process.env.LOG_LEVEL ?? "warn" });
    const agentFile = options.worker.agentFile;
    worker = await startReferenceBotWorker({
      livekitUrl: options.livekitUrl,
      apiKey: options.apiKey,
      apiSecret: options.apiSecret,
      agentName: options.worker.agentName,
      ...(agentFile ? { agentFile: isAbsolute(agentFile) ? agentFile : resolve(agentFile) } : {}),
    });
    const name = options.worker.agentName;
    process.stdout.write(
      `worker registered ${worker.workerId} ${name ? `as "${name}" (explicit dispatch)` : "for automatic dispatch"}\n`,
    );
  }
} catch (err) {
  log(`could not start: ${err instanceof Error ? err.message : String(err)}`);
  await runner?.close();
  process.exit(1);
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    Promise.all([worker?.close(), runner?.close()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
