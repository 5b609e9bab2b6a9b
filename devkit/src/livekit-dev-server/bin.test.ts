import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";

const BIN = new URL("../../bin/livekit-dev-server.mjs", import.meta.url).pathname;

describe("livekit-dev-server command", () => {
  it("prints its ws URL once listening, serves, and exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, [BIN, "--port", "0", "--keys", "devkey:devsecret"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
      expect(line).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${line.replace("ws://", "http://")}/`);
      expect(await res.text()).toBe("OK");
      child.kill("SIGTERM");
      const [code] = await once(child, "exit");
      expect(code).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  }, 30_000);

  it("exits 2 with the rule on stderr for a bad argument", async () => {
    const child = spawn(process.execPath, [BIN, "--port", "7880", "--keys", "nosecret"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(stderr).toMatch(/--keys must be key:secret/);
  }, 30_000);
});
