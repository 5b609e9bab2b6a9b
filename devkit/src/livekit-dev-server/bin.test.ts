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

  it("shuts down and exits 0 when its standard input closes, with --exit-on-stdin-close", async () => {
    const child = spawn(
      process.execPath,
      [BIN, "--port", "0", "--keys", "devkey:devsecret", "--exit-on-stdin-close"],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
      expect(line).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      // What the kernel does to the pipe when the parent dies, however it dies.
      child.stdin.end();
      // Raced against 10 s, so that a server that ignores its stdin is killed by `finally`, not leaked.
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        once(child, "exit").then(([c]) => c),
        new Promise((r) => {
          timer = setTimeout(() => r("still running after 10 s"), 10_000);
        }),
      ]);
      clearTimeout(timer);
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
