import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const RTC_LOG_LEVEL = new URL("./rtc-log-level.ts", import.meta.url).pathname;

/**
 * A fresh process (the logger is per process and writes to fd 1, past process.stdout) that makes
 * rtc-node log without a server: an AudioMixer given a stream that cannot be iterated warns on
 * every mixing pass.
 */
async function rtcNodeOutput(level: string | undefined): Promise<{ stdout: string; set: string }> {
  const script = `
    import { AudioMixer } from "@livekit/rtc-node";
    import { setRtcLogLevel } from ${JSON.stringify(RTC_LOG_LEVEL)};
    const level = ${JSON.stringify(level ?? null)};
    if (level !== null) process.stderr.write(String(setRtcLogLevel(level)));
    const mixer = new AudioMixer(16000, 1);
    const unreadable = {};
    mixer.addStream(unreadable);
    await new Promise((r) => setTimeout(r, 50));
    mixer.removeStream(unreadable); // else the mixer keeps retrying it and never closes
    await mixer.aclose();
  `;
  const r = await promisify(execFile)(process.execPath, [
    "--import",
    "tsx",
    "--input-type=module",
    "-e",
    script,
  ]);
  return { stdout: r.stdout, set: r.stderr };
}

function rtcLogLines(stdout: string): { name: string; level: number; msg: string }[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

describe("setRtcLogLevel", () => {
  it("finds rtc-node printing its own JSON log lines on stdout when nobody sets a level", async () => {
    const { stdout } = await rtcNodeOutput(undefined);
    const lines = rtcLogLines(stdout);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatchObject({
      name: "lk-rtc",
      level: 40,
      msg: "AudioMixer: Stream contribution failed",
    });
  });

  it("keeps rtc-node's warnings off stdout at level error", async () => {
    expect(await rtcNodeOutput("error")).toEqual({ stdout: "", set: "true" });
  });

  it("lets them through at level debug, as spar run --verbose asks", async () => {
    const { stdout, set } = await rtcNodeOutput("debug");
    expect(set).toBe("true");
    const lines = rtcLogLines(stdout);
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines.map((l) => l.msg))).toEqual(new Set(["AudioMixer: Stream contribution failed"]));
  });
});
