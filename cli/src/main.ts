/** Composition root of the `spar` command: the only place that reads argv, env and the terminal. */
import { main } from "./cli.ts";
import { handleInterrupts } from "./interrupt.ts";
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
// Each command decides what a signal means for its exit code: `spar run` and `spar probe` answer
// 130 for work Ctrl-C cut short, `spar serve` 0 (a signal is how it is stopped).
process.exitCode = code;
await resources.release();
// A CI step must never hang: if a native handle (rtc-node, a speech engine child) outlives the
// command, exit anyway once stdout has had a moment to drain.
setTimeout(() => process.exit(), 2000).unref();
