/**
 * What `spar run` prints on a voice run, through the real bin (rtc-node's logger writes to file
 * descriptor 1 directly, past any stream the in-process harness could capture). The room's URL
 * points at a loopback server that hangs up on every connection: the call fails fast, with no
 * LiveKit server and no network namespace, after rtc-node has logged its connect.
 */
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sparBin, tempDir, writeSuite } from "./cli-harness.ts";

let refuser: Server;
let suite: string;

beforeAll(async () => {
  refuser = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => refuser.listen(0, "127.0.0.1", resolve));
  const address = refuser.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  suite = await writeSuite(
    await tempDir(),
    "voice.yaml",
    `version: 1
agent:
  id: nobody
  voice:
    livekit: { mode: manual, url: "ws://127.0.0.1:${address.port}", api_key: devkey, api_secret: "0123456789abcdef0123456789abcdef", room: r }
    agent_identity: nobody
defaults: { channel: voice }
scenarios:
  - id: unreachable
    script:
      - say: "Hello."
`,
  );
});

afterAll(async () => {
  await new Promise((resolve) => refuser.close(resolve));
});

const jsonLines = (stdout: string) => stdout.split("\n").filter((line) => line.startsWith("{"));

describe("spar run on a voice suite", () => {
  it("prints no JSON log lines from rtc-node unless --verbose asks for them", async () => {
    const [quiet, verbose] = await Promise.all([
      sparBin(["run", suite]),
      sparBin(["run", suite, "--verbose"]),
    ]);
    for (const r of [quiet, verbose]) {
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^FAIL unreachable#1 \([\d.]+ m?s\) connection_failed: /m);
    }
    expect(jsonLines(quiet.stdout)).toEqual([]);
    expect(jsonLines(verbose.stdout).map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ name: "lk-rtc", msg: "Connect callback received" }),
    );
  }, 60_000);
});
