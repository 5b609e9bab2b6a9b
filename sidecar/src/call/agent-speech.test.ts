import { describe, expect, it } from "vitest";
import {
  type AgentSpeechEvent,
  type AgentTimeline,
  agentIntervals,
  applyAgentSpeech,
  EMPTY_TIMELINE,
  speechAfter,
  turnOverAtMs,
} from "./agent-speech.ts";

const started = (startMs: number): AgentSpeechEvent => ({ type: "agent_speech_started", startMs });
const ended = (startMs: number, endMs: number): AgentSpeechEvent => ({
  type: "agent_speech_ended",
  startMs,
  endMs,
});
const timeline = (...events: AgentSpeechEvent[]): AgentTimeline =>
  events.reduce(applyAgentSpeech, EMPTY_TIMELINE);

describe("agent speech timeline (endpointing)", () => {
  it("reports the onset as the first speech frame while the agent speaks", () => {
    const speaking = timeline(started(6_200));
    expect(speaking.speakingSinceMs).toBe(6_200);
    expect(speechAfter(speaking, 6_000)).toBe(6_200);
    const done = applyAgentSpeech(speaking, ended(6_200, 7_450));
    expect(done.segments).toEqual([{ startMs: 6_200, endMs: 7_450 }]);
    expect(done.speakingSinceMs).toBeUndefined();
  });

  it("ends the turn the endpointing window after the last speech frame, never while speaking", () => {
    expect(turnOverAtMs(timeline(started(100)), 0, 700)).toBeUndefined();
    expect(turnOverAtMs(timeline(started(100), ended(100, 900)), 0, 700)).toBe(1_600);
  });

  it("keeps the turn open while the agent resumes after a pause", () => {
    const resumed = timeline(ended(100, 900), started(1_450));
    expect(turnOverAtMs(resumed, 0, 700)).toBeUndefined();
    expect(turnOverAtMs(applyAgentSpeech(resumed, ended(1_450, 2_100)), 0, 700)).toBe(2_800);
  });

  it("does not count speech that ended before the caller's turn as a reply", () => {
    const before = timeline(ended(100, 900));
    expect(turnOverAtMs(before, 1_000, 600)).toBeUndefined();
    expect(speechAfter(before, 1_000)).toBeUndefined();
    const reply = applyAgentSpeech(before, ended(1_300, 2_000));
    expect(speechAfter(reply, 1_000)).toBe(1_300);
    expect(turnOverAtMs(reply, 1_000, 600)).toBe(2_600);
  });

  it("counts speech running past the caller's end from its first frame", () => {
    expect(speechAfter(timeline(ended(500, 1_500)), 1_000)).toBe(500);
  });

  it("closes an open segment at the end of the call", () => {
    expect(agentIntervals(timeline(ended(0, 400), started(1_000)), 1_250)).toEqual([
      { startMs: 0, endMs: 400 },
      { startMs: 1_000, endMs: 1_250 },
    ]);
  });
});
