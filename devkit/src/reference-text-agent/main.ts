/**
 * Composition root of `reference-text-agent`: reads the command line, starts the agent, prints
 * its URL, and closes on Ctrl-C. The only place in this folder that touches process state.
 */
import { parseArgs } from "node:util";
import { startReferenceTextAgent } from "./start-reference-text-agent.ts";

const USAGE = `usage: reference-text-agent --secret SECRET [--port 8080] [--host 127.0.0.1]

An X-RUBRIC text agent to test against. Bots: /billing (or X-RUBRIC-AGENT-ID billing-bot)
and /echo (echo-bot). Misbehaviours for tests: X-Spar-Behavior header or ?behavior=.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

let values: { port?: string; host?: string; secret?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
      secret: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!values.secret) fail("--secret is required");
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0-65535, got "${values.port}"`);

const agent = await startReferenceTextAgent({
  port,
  secret: values.secret,
  ...(values.host ? { host: values.host } : {}),
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(
  `reference text agent listening on ${agent.url} (bots: ${agent.url}/billing, ${agent.url}/echo)\n`,
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    agent.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
