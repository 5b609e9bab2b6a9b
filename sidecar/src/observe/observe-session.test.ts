/**
 * The observer's call on a hand-written room (the ObserverRoom port) and a manual clock: audio
 * chunks arrive at exact clock times, so turns, latency and end reasons are exact numbers.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VoiceRunEventBody } from "@spar/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../media/clock.ts";
import { EnergyVoiceActivity } from "../media/vad/energy-voice-activity.ts";
import { type ObservePlan, observeSession } from "./observe-session.ts";
import type { ObserverRoomConnector, ObserverRoomEvent } from "./observer-room.ts";

const RATE = 48_000;
const CHUNK_MS = 50;
const dirs: string[] = [];

afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A room whose events the test sends, at times it sets on the clock. */
class ScriptedRoom implements ObserverRoomConnector {
  send: (event: ObserverRoomEvent) => void = () => undefined;
  left = false;
  constructor(private readonly fail?: string) {}
  async connect(options: { onEvent: (event: ObserverRoomEvent) => void }) {
    if (this.fail) throw new Error(this.fail);
    this.send = options.onEvent;
    return {
      roomName: "agent_1_7_1000",
      leave: async () => {
        this.left = true;
      },
    };
  }
}

function chunk(loud: boolean): Int16Array {
  const samples = new Int16Array((RATE * CHUNK_MS) / 1000);
  if (loud)
    for (let i = 0; i < samples.length; i++)
      samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 300 * i) / RATE));
  return samples;
}

/** Streams both tracks from 0 to `untilMs`, each loud inside its speech windows. */
function play(
  room: ScriptedRoom,
  clock: ManualClock,
  untilMs: number,
  speech: Record<string, [number, number][]>,
): void {
  for (let t = 0; t < untilMs; t += CHUNK_MS) {
    clock.set(t + CHUNK_MS);
    for (const [identity, windows] of Object.entries(speech)) {
      const loud = windows.some(([from, to]) => t >= from && t < to);
      room.send({
        type: "audio",
        identity,
        audio: { samples: chunk(loud), sampleRate: RATE },
        receivedAtMs: t + CHUNK_MS,
      });
    }
  }
}

async function observe(room: ScriptedRoom, clock: ManualClock, plan: Partial<ObservePlan> = {}) {
  const dir = await mkdtemp(join(tmpdir(), "spar-observe-"));
  dirs.push(dir);
  const events: VoiceRunEventBody[] = [];
  const call = observeSession(
    {
      url: "ws://room",
      token: "t",
      humanIdentity: "7",
      agentIdentity: "pipecat-bot",
      maxDurationMs: 60_000,
      connectMs: 1_000,
      agentJoinMs: 30_000,
      endpointingMs: 700,
      recordingDir: dir,
      ...plan,
    },
    {
      connector: room,
      makeVad: () => new EnergyVoiceActivity(),
      clock,
      wallNow: () => Date.parse("2026-12-04T12:00:00Z") + clock.now(),
      emit: (e) => events.push(e),
      signal: new AbortController().signal,
    },
  );
  await new Promise((r) => setTimeout(r, 0));
  return { call, events };
}

describe("observeSession", () => {
  it("measures the agent's reply from the human's end of speech and ends caller_ended when the room closes", async () => {
    const clock = new ManualClock(0);
    const room = new ScriptedRoom();
    const { call, events } = await observe(room, clock);
    room.send({ type: "participant_joined", identity: "7" });
    room.send({ type: "participant_joined", identity: "pipecat-bot" });
    room.send({
      type: "words",
      speaker: "7",
      segmentId: "h1",
      streamId: "s1",
      delta: "Hello there",
      atMs: 2000,
    });
    room.send({
      type: "words",
      speaker: "pipecat-bot",
      segmentId: "a1",
      streamId: "s2",
      delta: "Hi,",
      atMs: 2400,
    });
    room.send({
      type: "words",
      speaker: "pipecat-bot",
      segmentId: "a1",
      streamId: "s2",
      delta: " how can I help?",
      atMs: 2500,
    });
    play(room, clock, 5000, { "7": [[500, 1500]], "pipecat-bot": [[2000, 3000]] });
    room.send({ type: "disconnected", reason: "ROOM_DELETED", normal: true });
    const result = await call;
    expect(result.end).toEqual({ status: "completed", reason: "caller_ended", endedBy: "caller" });
    expect(result.transcript).toEqual([
      { role: "user", content: "Hello there", start_ms: 500, end_ms: 1500 },
      { role: "agent", content: "Hi, how can I help?", start_ms: 2000, end_ms: 3000 },
    ]);
    expect(result.metrics?.latency_ms).toEqual({
      average_ms: 500,
      p50_ms: 500,
      p95_ms: 500,
      turns: [{ turn: 1, latency_ms: 500 }],
    });
    expect(result.metrics?.time_to_first_audio_ms).toBe(2000);
    expect(result.metrics?.measured_with.latency_ms).toMatchObject({
      caller_source: "vad",
      agent_source: "vad",
      vad: { engine: "energy", frame_ms: 10 },
    });
    expect(result.recording?.participants.map((p) => [p.identity, p.role])).toEqual([
      ["7", "user"],
      ["pipecat-bot", "agent"],
    ]);
    expect(room.left).toBe(true);
    expect(events.filter((e) => e.type === "participant_joined")).toEqual([
      { type: "participant_joined", identity: "7" },
      { type: "participant_joined", identity: "pipecat-bot" },
    ]);
  });

  it("invents no agent turn, latency or first audio for an agent that joined and never spoke", async () => {
    const clock = new ManualClock(0);
    const room = new ScriptedRoom();
    const { call } = await observe(room, clock);
    room.send({ type: "participant_joined", identity: "7" });
    room.send({ type: "participant_joined", identity: "pipecat-bot" });
    play(room, clock, 4000, { "7": [[500, 1500]], "pipecat-bot": [] });
    room.send({ type: "disconnected", reason: "ROOM_DELETED", normal: true });
    const result = await call;
    expect(result.end.reason).toBe("caller_ended");
    expect(result.transcript).toEqual([{ role: "user", content: "", start_ms: 500, end_ms: 1500 }]);
    expect(result.metrics).toMatchObject({
      latency_ms: null,
      time_to_first_audio_ms: null,
      talk_ratio: 0,
      words_per_minute: null,
      ai_interruptions: { count: 0 },
    });
  });

  it("fails agent_never_joined when no agent came within the join limit, recording the human only", async () => {
    const clock = new ManualClock(0);
    const room = new ScriptedRoom();
    const { call } = await observe(room, clock, { agentIdentity: undefined, agentJoinMs: 300 });
    room.send({ type: "participant_joined", identity: "7" });
    play(room, clock, 2000, { "7": [[500, 1500]] });
    const result = await call;
    expect(result.end).toEqual({
      status: "failed",
      reason: "agent_never_joined",
      endedBy: "platform",
      detail:
        "no agent joined the session's room within 0.3 s: nothing of the agent was recorded or measured",
    });
    expect(result.metrics?.latency_ms).toBeNull();
    expect(result.recording?.participants.map((p) => p.role)).toEqual(["user"]);
    expect(room.left).toBe(true);
  });

  it("fails agent_never_joined when the session ends before any agent came", async () => {
    const clock = new ManualClock(0);
    const room = new ScriptedRoom();
    const { call } = await observe(room, clock, { agentIdentity: undefined });
    room.send({ type: "participant_joined", identity: "7" });
    room.send({ type: "disconnected", reason: "ROOM_DELETED", normal: true });
    expect((await call).end).toMatchObject({
      reason: "agent_never_joined",
      detail:
        "no agent joined the session's room before the session ended: nothing of the agent was recorded or measured",
    });
  });

  it("ends when both parties have left, naming who left first", async () => {
    const clock = new ManualClock(0);
    const room = new ScriptedRoom();
    const { call } = await observe(room, clock, { agentIdentity: undefined });
    room.send({ type: "participant_joined", identity: "7" });
    room.send({ type: "participant_joined", identity: "agent-AJ_1" });
    room.send({ type: "participant_joined", identity: "someone-else" });
    room.send({ type: "participant_left", identity: "agent-AJ_1" });
    room.send({ type: "participant_left", identity: "7" });
    const result = await call;
    expect(result.end).toEqual({ status: "completed", reason: "agent_ended", endedBy: "agent" });
  });

  it("fails connection_lost on a faulty disconnect and connection_failed when it cannot join", async () => {
    const clock = new ManualClock(0);
    const lost = new ScriptedRoom();
    const { call } = await observe(lost, clock);
    lost.send({ type: "disconnected", reason: "SIGNAL_CLOSE", normal: false });
    expect((await call).end).toEqual({
      status: "failed",
      reason: "connection_lost",
      endedBy: "platform",
      detail: "the observer was disconnected from the room (SIGNAL_CLOSE)",
    });
    const refused = await observe(new ScriptedRoom("HTTP 401"), clock);
    const result = await refused.call;
    expect(result.end).toMatchObject({
      status: "failed",
      reason: "connection_failed",
      detail: "could not join the session's room: HTTP 401",
    });
    expect({ metrics: result.metrics, recording: result.recording }).toEqual({
      metrics: null,
      recording: null,
    });
  });
});
