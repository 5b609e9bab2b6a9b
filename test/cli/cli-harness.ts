/** Drives the real `spar` dispatcher in-process with captured output, or the real bin as a child. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type CliContext, main } from "@spar/cli";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function capture() {
  let text = "";
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString("utf8");
        done();
      },
    }),
    text: () => text,
  };
}

export async function spar(
  argv: string[],
  env: Record<string, string> = {},
  overrides: Partial<Pick<CliContext, "outputDir" | "atExit">> = {},
): Promise<CliResult> {
  const out = capture();
  const err = capture();
  const ctx: CliContext = {
    env,
    stdout: out.stream,
    stderr: err.stream,
    interactive: false,
    color: false,
    outputDir: ".spar",
    atExit: () => undefined,
    signal: new AbortController().signal,
    ...overrides,
  };
  const code = await main(argv, ctx);
  return { code, stdout: out.text(), stderr: err.text() };
}

const BIN = new URL("../../cli/bin/spar.mjs", import.meta.url).pathname;

/** The installed command, as CI runs it: a child process with its own exit code. */
export function sparBin(argv: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startSparBin(argv, env).result;
}

/** The installed command as a running child: for signals (Ctrl-C is SIGINT to the process). */
export function startSparBin(
  argv: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; stdout(): string; result: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, CI: "1", ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? -1 : -2), stdout, stderr }));
  });
  return { child, stdout: () => stdout, result };
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "spar-cli-"));
}

export async function writeSuite(dir: string, name: string, yaml: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, yaml);
  return path;
}
