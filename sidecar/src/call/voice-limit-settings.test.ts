/**
 * A voice channel's own limits reach the call: a job's `agent_join_timeout_ms` and
 * `max_duration_s` (the gateway's per-agent settings), and a suite's `agent.voice`
 * `agent_join_timeout_s` / `max_duration_s` (the embedded CLI). The room is a hand-written fake
 * of the CallRoomConnector port: it connects, and the agent never joins (or joins and never
 * speaks), so only the limit under test can end the call, with that limit's reason.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSuite, type VoiceJob, voiceResultSchema } from "@spar/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CallRoom, CallRoomConnectOptions, CallRoomConnector } from "../room/call-room.ts";
import { LiveKitVoiceCallRunner } from "./livekit-voice-call-runner.ts";
import { runVoiceScenario } from "./run-voice-scenario.ts";

/** A room that connects at once; with `agent`, that participant is already in it (and silent). */
function quietRoom(agent?: string): CallRoomConnector {
  return {
    async connect(o: CallRoomConnectOptions): Promise<CallRoom> {
      if (agent) o.onEvent({ type: "participant_joined", identity: agent });
      return {
        roomName: "quiet-room",
        localIdentity: "rubric-test-caller",
        sampleRate: 48_000,
        microphoneFrameMs: 10,
        microphoneTrackSid: "TR_caller",
        remoteIdentities: () => (agent ? [agent] : []),
        captureFrame: () => new Promise((resolve) => setTimeout(resolve, 10)),
        sendDtmf: async () => {},
        publishTranscription: async () => {},
        leave: async () => {},
      };
    },
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "spar-voice-limits-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function job(extra: Partial<VoiceJob>): VoiceJob {
  return {
    run_id: "run-5",
    scenario: { id: "scn", name: "Scenario" },
    connection: { mode: "manual", livekit_room_url: "ws://127.0.0.1:7880", access_token: "caller-token" },
    caller: { script: [{ say: "Hello." }] },
    max_duration_s: 600,
    ...extra,
  };
}

function suiteRun(voice: Record<string, unknown>) {
  const parsed = parseSuite({
    version: 1,
    agent: {
      id: "bot",
      voice: { livekit: { mode: "manual", url: "ws://127.0.0.1:7880", token: "caller-token" }, ...voice },
    },
    defaults: { channel: "voice" },
    scenarios: [{ id: "hello", script: [{ say: "Hello." }] }],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const scenario = parsed.suite.scenarios[0];
  if (!scenario) throw new Error("no scenario");
  return { suite: parsed.suite, scenario, attempt: 1, runId: "run-9", batchId: "b" };
}

describe("a voice channel's own limits", () => {
  it("ends a job agent_never_joined at its agent_join_timeout_ms, not the 30 s default", async () => {
    const runner = new LiveKitVoiceCallRunner({ recordingsDir: dir, stt: "none", connector: quietRoom() });
    const startedAt = performance.now();
    const result = voiceResultSchema.parse(
      await runner.run(job({ agent_join_timeout_ms: 1_000 }), () => {}, new AbortController().signal),
    );
    const tookMs = performance.now() - startedAt;
    expect(result).toMatchObject({ status: "failed", ended_reason: "agent_never_joined" });
    expect(tookMs).toBeGreaterThanOrEqual(1_000);
    expect(tookMs).toBeLessThan(10_000);
  });

  it("ends a job max_duration at its max_duration_s when the agent joins and stays silent", async () => {
    const runner = new LiveKitVoiceCallRunner({
      recordingsDir: dir,
      stt: "none",
      connector: quietRoom("agent-1"),
    });
    const result = voiceResultSchema.parse(
      await runner.run(job({ max_duration_s: 1 }), () => {}, new AbortController().signal),
    );
    expect(result).toMatchObject({ status: "failed", ended_reason: "max_duration" });
  });

  it("ends an embedded run agent_never_joined at the suite's agent.voice.agent_join_timeout_s", async () => {
    const startedAt = performance.now();
    const report = await runVoiceScenario(suiteRun({ agent_join_timeout_s: 1 }), {
      connector: quietRoom(),
      stt: "none",
      recordingsDir: dir,
    });
    expect(report).toMatchObject({ status: "failed", ended_reason: "agent_never_joined" });
    expect(performance.now() - startedAt).toBeLessThan(10_000);
  });

  it("ends an embedded run max_duration at the suite's agent.voice.max_duration_s", async () => {
    const report = await runVoiceScenario(suiteRun({ max_duration_s: 1 }), {
      connector: quietRoom("agent-1"),
      stt: "none",
      recordingsDir: dir,
    });
    expect(report).toMatchObject({ status: "failed", ended_reason: "max_duration" });
  });

  it("refuses limits out of bounds, naming the field and the bound", () => {
    const parsed = parseSuite({
      version: 1,
      agent: {
        id: "bot",
        voice: {
          livekit: { mode: "manual", url: "ws://127.0.0.1:7880", token: "t" },
          max_duration_s: 4_000,
          agent_join_timeout_s: 0.5,
        },
      },
      scenarios: [{ id: "hello", script: [{ say: "Hello." }] }],
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining("agent.voice.max_duration_s: must be a whole number of seconds, 1 to 3600"),
        expect.stringContaining(
          "agent.voice.agent_join_timeout_s: must be a whole number of seconds, 1 to 600",
        ),
      ]),
    );
  });
});
