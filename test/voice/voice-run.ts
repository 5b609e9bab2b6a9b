/** Runs `spar run` on an example voice suite through the real bin, as a user does, and reads its JSON report. */
import { spawn } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunReport, suiteReportSchema } from "@spar/protocol";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SPAR_BIN = join(REPO_ROOT, "cli/bin/spar.mjs");

/** An example suite's path: the file the README points at, run unchanged. */
export function exampleSuite(name: string): string {
  return join(REPO_ROOT, "examples/voice", name);
}

export interface VoiceRunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The one run of the suite (every example has one scenario), when a report was written. */
  run: RunReport | undefined;
  /** Spawn to exit of the `spar` process, media stack start-up included. */
  wallMs: number;
}

/**
 * `spar run <suite> --report-json …` in a fresh working directory (recordings land there, not in
 * the repository), with only the variables given on top of PATH/HOME: a suite that needs an unset
 * variable fails as it would for a user.
 */
export async function sparRunSuite(suitePath: string, vars: Record<string, string>): Promise<VoiceRunResult> {
  const cwd = await mkdtemp(join(tmpdir(), "spar-voice-modes-"));
  const reportPath = join(cwd, "report.json");
  const started = performance.now();
  const child = spawn(process.execPath, [SPAR_BIN, "run", suitePath, "--report-json", reportPath], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", CI: "1", ...vars },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString("utf8");
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString("utf8");
  });
  const code = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (exitCode, signal) => resolve(exitCode ?? (signal ? -1 : -2)));
  });
  const wallMs = Math.round(performance.now() - started);
  const text = await readFile(reportPath, "utf8").catch(() => undefined);
  const run = text === undefined ? undefined : suiteReportSchema.parse(JSON.parse(text)).runs[0];
  return { code, stdout, stderr, run, wallMs };
}
