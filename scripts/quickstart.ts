/**
 * `npm start`: the example suites against the bundled reference agents, with the real `spar run`.
 *  1. text: the reference X-RUBRIC agent on a free loopback port, examples/quickstart.yaml;
 *  2. voice: the LiveKit dev server and the reference voice bot inside a private network
 *     namespace (libwebrtc ignores loopback), examples/quickstart-voice.yaml.
 * Prints the verdict tables and where the JSON reports are. `--text-only` skips the voice half;
 * `--verbose` passes on to `spar run` (and shows rtc-node's own logs in the voice half).
 */

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { main } from "@spar/cli";
import { runInMediaNamespace } from "@spar/devkit/netns";
import { startReferenceTextAgent } from "@spar/devkit/reference-text-agent";

const abort = new AbortController();
process.once("SIGINT", () => abort.abort(new Error("interrupted (Ctrl-C)")));
const interactive = Boolean(process.stdout.isTTY) && !process.env.CI;
const verbose = process.argv.includes("--verbose") ? ["--verbose"] : [];

// The agents' loopback URLs and room names are left out: they are gone when the command ends.
process.stdout.write("── text: examples/quickstart.yaml, against the reference text agent ──\n");
const secret = randomBytes(16).toString("hex");
const textAgent = await startReferenceTextAgent({ port: 0, secret });
const textCode = await main(
  ["run", "examples/quickstart.yaml", "--report-json", ".spar/quickstart-report.json", ...verbose],
  {
    env: { ...process.env, SPAR_REFERENCE_TEXT_URL: textAgent.url, SPAR_REFERENCE_TEXT_SECRET: secret },
    stdout: process.stdout,
    stderr: process.stderr,
    interactive,
    color: interactive && !process.env.NO_COLOR,
    outputDir: ".spar",
    atExit: () => undefined, // a text-only suite acquires no process-wide resources
    signal: abort.signal,
  },
);
await textAgent.close();

let voiceCode = 0;
if (process.argv.includes("--text-only")) {
  process.stdout.write("\nvoice quickstart skipped (--text-only)\n");
} else {
  const missing = voicePrerequisites();
  if (missing) {
    process.stdout.write(
      `\n── voice: examples/quickstart-voice.yaml ──\nvoice quickstart skipped: ${missing}\n`,
    );
  } else {
    // It prints its own heading, which says how the bot it starts behaves.
    voiceCode = await runInMediaNamespace("npx", [
      "--no-install",
      "tsx",
      "scripts/quickstart-voice.ts",
      ...verbose,
    ]);
  }
}
process.exitCode = Math.max(textCode, voiceCode);

/** Why the voice half cannot run here, or null. It needs a network namespace: root, unshare and ip. */
function voicePrerequisites(): string | null {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot) {
    return "it runs the LiveKit dev server in a private network namespace, which needs root (libwebrtc ignores loopback). Run `sudo npm start`, or `npm start -- --text-only`.";
  }
  for (const tool of ["unshare", "ip"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status !== 0) {
      return `\`${tool}\` is missing: apt-get install -y util-linux iproute2`;
    }
  }
  return null;
}
