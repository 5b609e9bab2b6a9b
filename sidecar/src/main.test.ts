import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

function runMain(env: Record<string, string>) {
  return spawnSync(process.execPath, ["--import", "tsx", MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
}

describe("sidecar main", { timeout: 60_000 }, () => {
  it("refuses to start without a runner instead of accepting jobs it cannot run", () => {
    const r = runMain({ SPAR_SIDECAR_TOKEN: "0123456789abcdef0123", SPAR_RUNNER: "no-such-runner" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no voice call runner named "no-such-runner" is plugged into this build');
    expect(r.stderr).toContain("(available: livekit)");
  });

  it("names each invalid variable and the rule without echoing secrets", () => {
    const r = runMain({
      SPAR_SIDECAR_TOKEN: "tiny-secret",
      SPAR_OUTBOX_URL: "/tmp/x.db",
      SPAR_RTC_LOG_LEVEL: "loud",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("SPAR_SIDECAR_TOKEN: must be at least 16 characters");
    expect(r.stderr).toContain("SPAR_OUTBOX_URL: must be a file: URL");
    expect(r.stderr).toContain(
      'SPAR_RTC_LOG_LEVEL: Invalid option: expected one of "silent"|"fatal"|"error"|"warn"|"info"|"debug"|"trace"',
    );
    expect(r.stderr).not.toContain("tiny-secret");
  });
});
