/** Composition root of the `spar` command: the only place that reads argv, env and the terminal. */
import { main } from "./cli.ts";
import { ProcessResources } from "./process-resources.ts";

const abort = new AbortController();
process.once("SIGINT", () => abort.abort(new Error("interrupted (Ctrl-C)")));
const interactive = Boolean(process.stdout.isTTY) && !process.env.CI;
const resources = new ProcessResources();
process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  interactive,
  color: interactive && !process.env.NO_COLOR,
  outputDir: ".spar",
  atExit: resources.atExit,
  signal: abort.signal,
});
await resources.release();
// A CI step must never hang: if a native handle (rtc-node, a speech engine child) outlives the
// command, exit anyway once stdout has had a moment to drain.
setTimeout(() => process.exit(), 2000).unref();
