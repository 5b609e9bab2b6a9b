/**
 * The embedded CLI's entry for voice runs: a suite scenario (manual mode, the caller's token
 * minted from api_key/api_secret + room) played against a tone agent and evaluated.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dispose } from "@livekit/rtc-node";
import { callerAudioSchema, parseSuite, runReportSchema, type SuiteInput } from "@spar/protocol";
import { AccessToken } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServerProcess, startDevServerProcess } from "./dev-server-process.fixture.ts";
import { runVoiceScenario } from "./run-voice-scenario.ts";
import { ToneAgent } from "./tone-agent.fixture.ts";

let server: DevServerProcess;
let dir: string;

beforeAll(async () => {
  server = await startDevServerProcess();
  dir = await mkdtemp(join(tmpdir(), "spar-voice-scenario-"));
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
  await dispose();
});

function voiceSuite(room: string, scenario: SuiteInput["scenarios"][number]) {
  const parsed = parseSuite({
    version: 1,
    agent: {
      id: "bot",
      voice: {
        livekit: {
          mode: "manual",
          url: server.url,
          api_key: server.apiKey,
          api_secret: server.apiSecret,
          room,
        },
      },
    },
    defaults: { channel: "voice" },
    scenarios: [scenario],
  } satisfies SuiteInput);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const first = parsed.suite.scenarios[0];
  if (!first) throw new Error("no scenario");
  return { suite: parsed.suite, scenario: first };
}

async function agentToken(room: string): Promise<string> {
  const at = new AccessToken(server.apiKey, server.apiSecret, { identity: "agent" });
  at.addGrant({ roomJoin: true, room });
  return at.toJwt();
}

describe("runVoiceScenario (embedded voice run)", () => {
  it("mints the caller's token, runs the script and evaluates assertions into a RunReport", async () => {
    const agent = await ToneAgent.join({
      url: server.url,
      token: await agentToken("cli-room"),
      replyDelayMs: 300,
      replyMs: 500,
    });
    try {
      const { suite, scenario } = voiceSuite("cli-room", {
        id: "hello",
        script: [{ say: "Hello there." }, { expect: "reply 1", end: true }],
        assertions: [{ agent_said: "/reply 1/" }, { max_latency_ms: 2_000 }, { ended_by: "caller" }],
      });
      const report = runReportSchema.parse(
        await runVoiceScenario(
          { suite, scenario, attempt: 1, runId: "cli-run-1", batchId: "b1" },
          { recordingsDir: dir, stt: "none", limits: { greetingWaitMs: 300 } },
        ),
      );
      expect(report).toMatchObject({
        channel: "voice",
        status: "completed",
        ended_reason: "caller_ended",
        ended_by: "caller",
        passed: true,
        error: null,
      });
      expect(report.transcript.map((t) => [t.role, t.content])).toEqual([
        ["user", "Hello there."],
        ["agent", "reply 1"],
      ]);
      expect(report.assertions.map((a) => [a.kind, a.passed])).toEqual([
        ["agent_said", true],
        ["max_latency_ms", true],
        ["ended_by", true],
      ]);
      expect(report.metadata).toMatchObject({ room_name: "cli-room", recording: { sample_rate_hz: 48_000 } });
      // The caller's microphone timing rides along: one frame per slot from join to hang-up
      // (measured: 43 frames of 100 ms in a 3.9 s run, which includes the room entry).
      const callerAudio = callerAudioSchema.parse(report.metadata.caller_audio);
      expect(callerAudio.frame_ms).toBe(100);
      expect(callerAudio.frames * callerAudio.frame_ms).toBeGreaterThan(report.duration_ms / 2);
    } finally {
      await agent.close();
    }
  });

  it("fails a run whose agent leaves before the script was played, naming the unplayed line", async () => {
    const agent = await ToneAgent.join({
      url: server.url,
      token: await agentToken("leaving-room"),
      replyDelayMs: 300,
      replyMs: 500,
      leaveAfterReplies: 1,
      leaveAfterMs: 100,
    });
    try {
      const { suite, scenario } = voiceSuite("leaving-room", {
        id: "left-early",
        script: [{ say: "Hello there." }, { say: "Are you still there?" }, { say: "Hello?" }],
      });
      const report = await runVoiceScenario(
        { suite, scenario, attempt: 1, runId: "cli-run-2", batchId: "b1" },
        { recordingsDir: dir, stt: "none", limits: { greetingWaitMs: 300 } },
      );
      expect(report).toMatchObject({ status: "completed", ended_reason: "agent_ended", passed: false });
      // The agent left after its first reply: the caller may or may not have finished its second line.
      expect(report.error).toMatch(
        /^the agent ended the call at step [23] of 3; `say "(Are you still there\?|Hello\?)"` was never played$/,
      );
    } finally {
      await agent.close();
    }
  });
});
