import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { startApiTestServer, TEST_KEY, TEST_SECRET } from "../livekit-dev-server/twirp/test-api-server.ts";
import { startRunnerProcess } from "./fixtures/runner-process.ts";

const BIN = new URL("../../bin/reference-bot-runner.mjs", import.meta.url).pathname;

describe("reference-bot-runner command", () => {
  it("prints its URL once listening, serves the endpoints, and exits on SIGTERM", async () => {
    const server = await startApiTestServer();
    const args = ["--livekit-url", server.url, "--api-key", TEST_KEY, "--api-secret", TEST_SECRET];
    const runner = await startRunnerProcess([...args, "--port", "0", "--require-bearer", "t"], 60_000);
    try {
      expect(runner.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${runner.url}/api/session`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer t" },
        body: JSON.stringify({ room_name: "r" }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain("bot_token");
      expect(await runner.stop()).toBe(0);
    } finally {
      await runner.stop();
      await server.close();
    }
  }, 90_000);

  it("exits 2 with the rule on stderr for a bad argument", async () => {
    const child = spawn(process.execPath, [BIN, "--livekit-url", "ws://127.0.0.1:1", "--api-key", "k"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "" },
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(stderr).toContain("--api-secret is required (or set LIVEKIT_API_SECRET)");
  }, 30_000);
});
