import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { connectToAgent, eventOf } from "./agent-test-client.ts";

const BIN = fileURLToPath(new URL("../../bin/reference-text-agent.mjs", import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill("SIGTERM");
  child = undefined;
});

/** Runs the bin and resolves with the ws:// URL it prints once listening. */
function startBin(args: string[]): Promise<string> {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  child = proc;
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const url = /listening on (ws:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    proc.once("exit", (code) => reject(new Error(`bin exited with ${code} before listening: ${out}`)));
  });
}

describe("reference-text-agent bin", () => {
  it("prints its URL when ready and serves the bots there", async () => {
    const url = await startBin(["--port", "0", "--secret", "bin-secret"]);
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const c = await connectToAgent(`${url}/echo`, { "X-RUBRIC-SECRET": "bin-secret" });
    c.send({ type: "message", content: "ping" });
    expect(eventOf(await c.next(5000))).toMatchObject({ kind: "reply", content: "You said: ping" });
    c.close();
  });

  it("exits 2 with usage when --secret is missing", async () => {
    const proc = spawn(process.execPath, [BIN, "--port", "0"], { stdio: ["ignore", "ignore", "pipe"] });
    child = proc;
    let err = "";
    proc.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString("utf8");
    });
    const code = await new Promise((resolve) => proc.once("exit", resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/^--secret is required\n\nusage: reference-text-agent/);
  });
});
