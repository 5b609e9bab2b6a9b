/**
 * The LiveKit call runner's stage failures and end reasons against the real dev server with real
 * rtc-node participants (a tone agent, tone-agent.fixture.ts, where one is needed). One call per
 * test; runs inside the media network namespace. Timing is in livekit-voice-call-runner.media.test.ts.
 */
import { describe, expect, it } from "vitest";
import { useCallerMedia } from "./caller-media.fixture.ts";
import { ToneAgent } from "./tone-agent.fixture.ts";

const media = useCallerMedia();

describe("LiveKit call runner end reasons (real rtc-node, real dev server)", () => {
  it("fails agent_never_joined when nobody else joins, with the caller's audio still recorded", async () => {
    const { result, events } = await media.run(
      media.runner({ agentJoinMs: 1_500 }),
      await media.job(media.nextRoom(), { script: [{ say: "hi" }] }),
    );
    expect(result).toMatchObject({ status: "failed", ended_reason: "agent_never_joined" });
    expect(result.error_message).toBe("no agent joined the room within 1.5 s");
    expect(result.metrics).toBeNull();
    expect(result.recording?.participants.map((p) => p.role)).toEqual(["user"]);
    expect(events).toContainEqual({
      type: "stage_finished",
      stage: "agent_join",
      ok: false,
      reason: "agent_never_joined",
    });
  });

  it("fails connection_failed when the token is signed with the wrong secret", async () => {
    const room = media.nextRoom();
    const j = await media.job(room, { script: [{ say: "hi" }] });
    const bad = {
      ...j,
      connection: {
        mode: "manual" as const,
        livekit_room_url: media.url,
        access_token: await media.token("rubric-test-caller", room, "not-the-secret-0123456789abcdef"),
      },
    };
    const { result } = await media.run(media.runner(), bad);
    expect(result).toMatchObject({
      status: "failed",
      ended_reason: "connection_failed",
      recording: null,
      metrics: null,
    });
    expect(result.error_message).toMatch(/^could not connect to the room/);
  });

  it("fails agent_timeout when the agent never answers the caller", async () => {
    const room = media.nextRoom();
    const agent = await ToneAgent.join({
      url: media.url,
      token: await media.token("agent", room),
      replyDelayMs: 0,
      replyMs: 0,
      mute: true,
    });
    try {
      const { result } = await media.run(
        media.runner(),
        await media.job(room, { script: [{ say: "Hello there." }] }, { turn_timeout_ms: 1_500 }),
      );
      expect(result).toMatchObject({ status: "failed", ended_reason: "agent_timeout" });
      expect(result.error_message).toBe("the agent did not start speaking within 1.5 s of the caller's turn");
      expect(result.transcript.map((t) => t.role)).toEqual(["user"]);
      expect(result.metrics?.latency_ms).toBeNull();
    } finally {
      await agent.close();
    }
  });

  it("ends agent_ended (completed) when the agent leaves mid-call", async () => {
    const room = media.nextRoom();
    const agent = await ToneAgent.join({
      url: media.url,
      token: await media.token("agent", room),
      replyDelayMs: 300,
      replyMs: 500,
      leaveAfterReplies: 1,
      // Past the caller's endpointing (700 ms) and the dev server's ~1 s delay on the first
      // text stream to a new subscriber, so the reply's words are in before the agent goes.
      leaveAfterMs: 1_500,
    });
    try {
      const { result } = await media.run(
        media.runner(),
        await media.job(room, {
          script: [{ say: "Hello there." }, { say: "Are you still there?" }, { say: "Hello?" }],
        }),
      );
      expect(result).toMatchObject({
        status: "completed",
        ended_reason: "agent_ended",
        error_message: "the agent left the room",
      });
      expect(result.transcript.slice(0, 2).map((t) => [t.role, t.content])).toEqual([
        ["user", "Hello there."],
        ["agent", "reply 1"],
      ]);
    } finally {
      await agent.close();
    }
  });
});
