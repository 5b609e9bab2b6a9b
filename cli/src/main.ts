/** Composition root of the `spar` command: the only place that reads argv, env and the terminal. */
import { main } from "./cli.ts";
import { EXIT_INTERRUPTED, handleInterrupts } from "./interrupt.ts";
import { ProcessResources } from "./process-resources.ts";

const abort = new AbortController();
handleInterrupts(
  {
    // SIGTERM (a service manager, `docker stop`) stops the command the same way as Ctrl-C.
    onSigint: (l) => {
      process.on("SIGINT", l);
      process.on("SIGTERM", l);
    },
    stderr: process.stderr,
    exit: (code) => process.exit(code),
  },
  abort,
);
const interactive = Boolean(process.stdout.isTTY) && !process.env.CI;
const resources = new ProcessResources();
const code = await main(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  interactive,
  color: interactive && !process.env.NO_COLOR,
  outputDir: ".spar",
  atExit: resources.atExit,
  signal: abort.signal,
});
// A usage error stays 2 even when Ctrl-C came while it was printed; anything else stopped by
// Ctrl-C is 130, whatever the command returned — except `spar serve`, for which a signal is
// the normal way to stop (exit 0 once everything in flight is recorded).
const stopsOnSignal = process.argv[2] === "serve";
process.exitCode = abort.signal.aborted && code !== 2 && !stopsOnSignal ? EXIT_INTERRUPTED : code;
await resources.release();
// A CI step must never hang: if a native handle (rtc-node, a speech engine child) outlives the
// command, exit anyway once stdout has had a moment to drain.
setTimeout(() => process.exit(), 2000).unref();
