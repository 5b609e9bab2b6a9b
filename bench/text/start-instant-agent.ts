/** Starts instant-agent.ts in its own process (its CPU is not charged to the code under test). */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export async function startInstantAgent(): Promise<{ url: string; child: ChildProcess }> {
  const entry = new URL("./instant-agent.ts", import.meta.url).pathname;
  const child = spawn(process.execPath, ["--import", "tsx", entry], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once("line", resolve),
  );
  return { url: `ws://127.0.0.1:${line.trim()}/bench`, child };
}
