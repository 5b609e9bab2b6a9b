/** Composition root of the `spar` command: the only place that reads argv, env and the terminal. */
import { main } from "./cli.ts";

const abort = new AbortController();
process.once("SIGINT", () => abort.abort(new Error("interrupted (Ctrl-C)")));
const interactive = Boolean(process.stdout.isTTY) && !process.env.CI;
process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  interactive,
  color: interactive && !process.env.NO_COLOR,
  signal: abort.signal,
});
