/**
 * `npm start`: starts the bundled reference agents on free loopback ports and runs the example
 * suite against them with the real `spar run`, printing the verdict table and the report path.
 */
import { randomBytes } from "node:crypto";
import { main } from "@spar/cli";
import { startReferenceTextAgent } from "@spar/devkit/reference-text-agent";

const secret = randomBytes(16).toString("hex");
const textAgent = await startReferenceTextAgent({ port: 0, secret });
process.stdout.write(`reference text agent listening on ${textAgent.url}\n`);

const abort = new AbortController();
process.once("SIGINT", () => abort.abort(new Error("interrupted (Ctrl-C)")));
const interactive = Boolean(process.stdout.isTTY) && !process.env.CI;
const code = await main(
  ["run", "examples/quickstart.yaml", "--report-json", ".spar/quickstart-report.json"],
  {
    env: { ...process.env, SPAR_REFERENCE_TEXT_URL: textAgent.url, SPAR_REFERENCE_TEXT_SECRET: secret },
    stdout: process.stdout,
    stderr: process.stderr,
    interactive,
    color: interactive && !process.env.NO_COLOR,
    signal: abort.signal,
  },
);
await textAgent.close();
process.exitCode = code;
