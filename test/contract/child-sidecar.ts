/**
 * The scripted sidecar in a child process (scripted-sidecar-child.fixture.ts), for tests that
 * kill it (SIGKILL: no result, no goodbye) or cancel its calls through the gateway.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

export interface ChildSidecar {
  process: ChildProcess;
  url: string;
  /** SIGKILL unless it already exited. */
  kill(): void;
}

export async function startChildSidecar(): Promise<ChildSidecar> {
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "scripted-sidecar-child.fixture.ts")],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\S+)\n/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    proc.once("exit", (code) => reject(new Error(`the sidecar child exited (${code}) before listening`)));
  });
  return {
    process: proc,
    url,
    kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    },
  };
}
