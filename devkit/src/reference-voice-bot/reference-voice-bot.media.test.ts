import { dispose } from "@livekit/rtc-node";
import { FliteWasiTextToSpeech } from "@spar/sidecar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenFor } from "../livekit-dev-server/testing/rtc-participant.ts";
import { type MediaDevServer, startMediaDevServer } from "../netns/media-dev-server.ts";
import type { ReferenceVoiceBotOptions } from "./bot-options.ts";
import { type ReferenceVoiceBot, startReferenceVoiceBot } from "./reference-voice-bot.ts";
import { TestCaller } from "./testing/test-caller.ts";
import { prepareLines, type VoiceLine } from "./voice-lines.ts";

/**
 * Bounds, from the bot's own log. The plan puts a start or stop on the exact sample (checked to
 * 0.1 ms after taking out how late the send loop ran); the loop's lateness itself is the event
 * loop's: this process also runs the dev server's JavaScript media path and the test caller on
 * two shared cores, so a frame may go out tens of ms late.
 */
const EXACT_MS = 0.1;
const LATE_BOUND_MS = 40;

/** actual − planned, with the send loop's lateness taken out; and that lateness. */
function offPlan(actualMs: number, plannedMs: number, lateMs: number): { off: number; late: number } {
  return { off: Math.abs(actualMs - plannedMs - lateMs), late: lateMs };
}

let server: MediaDevServer;
let callerLines: VoiceLine[];
const tts = new FliteWasiTextToSpeech("rms");
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  server = await startMediaDevServer();
  callerLines = await prepareLines(tts, [
    "Hello, I would like to check on my order.",
    "It was the blue jacket I bought last week.",
    "Can you tell me when my package will arrive and whether I can still change the delivery address today?",
  ]);
});

afterAll(async () => {
  for (const o of open.reverse()) await o.close().catch(() => undefined);
  await server?.close();
  await dispose();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function meet(
  room: string,
  options: Omit<ReferenceVoiceBotOptions, "url" | "token">,
): Promise<{ bot: ReferenceVoiceBot; caller: TestCaller }> {
  const bot = await startReferenceVoiceBot({
    url: server.url,
    token: await tokenFor(server, "bot", { roomJoin: true, room }),
    tts,
    ...options,
  });
  open.push(bot);
  const caller = await TestCaller.join(
    server.url,
    await tokenFor(server, "caller", { roomJoin: true, room }),
    "bot",
  );
  open.push(caller);
  // rtc-node needs about a second from the first captured frame to the first RTP packet.
  await sleep(1500);
  return { bot, caller };
}

const line = (i: number) => callerLines[i] ?? callerLines[0]!;

describe("reference voice bot (real rtc-node through the dev server)", () => {
  it("answers each caller turn after its planned latency and publishes its words on lk.transcription", async () => {
    const { bot, caller } = await meet("replies", {
      latencyMs: [500, 900],
      lines: ["Sure, let me look that up.", "It arrives on Friday."],
    });
    const sent1 = await caller.say(line(0).samples);
    await until(() => bot.truth().length === 1, "the first reply");
    await sleep(400);
    const sent2 = await caller.say(line(1).samples);
    await until(() => bot.truth().length === 2, "the second reply");
    await until(() => caller.transcriptions.length === 2, "two transcriptions");

    const truth = bot.truth();
    expect(truth.map((t) => [t.turn, t.kind, t.reason, t.cutShort])).toEqual([
      [1, "reply", "finished", false],
      [2, "reply", "finished", false],
    ]);
    const planned = [500, 900];
    truth.forEach((t, i) => {
      expect(t.plannedStartMs - t.callerMarkMs).toBeCloseTo(planned[i] ?? 0, 6);
      const { off, late } = offPlan(t.startMs, t.plannedStartMs, t.sendLateMs.start);
      expect(off).toBeLessThanOrEqual(EXACT_MS);
      expect(late).toBeLessThanOrEqual(LATE_BOUND_MS);
      expect(t.endMs).toBeGreaterThan(t.startMs + 500);
    });
    // The bot heard each caller turn end after it was sent (WebRTC transit + VAD frame), not before.
    const heard = bot.heardCaller();
    expect(heard.map((h) => [h.turn, h.bargeIn])).toEqual([
      [1, false],
      [2, false],
    ]);
    [sent1, sent2].forEach((s, i) => {
      const delay = (heard[i]?.endMs ?? 0) - s.endMs;
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThan(400);
    });
    expect(caller.transcriptions).toEqual(
      truth.map((t) => ({
        identity: "bot",
        text: t.text,
        attributes: {
          "lk.transcribed_track_id": bot.trackSid,
          "lk.segment_id": t.id,
          "lk.transcription_final": "false",
        },
      })),
    );
  });

  it("interrupts the caller at the planned offset from the caller's start, then answers the turn", async () => {
    const { bot, caller } = await meet("interrupts", {
      latencyMs: 600,
      interruptCaller: [{ turn: 1, afterMs: 1200 }],
      lines: ["Sorry to cut in, I have your order right here.", "It ships on Monday."],
    });
    const sent = await caller.say(line(2).samples);
    await until(() => bot.truth().length === 2, "the interruption and the reply");
    const [t, reply] = bot.truth();
    expect(t).toMatchObject({ turn: 1, kind: "interruption", latencyMs: null, reason: "finished" });
    expect(t!.plannedStartMs - t!.callerMarkMs).toBeCloseTo(1200, 6);
    const { off, late } = offPlan(t!.startMs, t!.plannedStartMs, t!.sendLateMs.start);
    expect(off).toBeLessThanOrEqual(EXACT_MS);
    expect(late).toBeLessThanOrEqual(LATE_BOUND_MS);
    // It really talked over the caller: its first sample left before the caller's last.
    expect(t!.startMs).toBeLessThan(sent.endMs);
    const heardStart = bot.heardCaller()[0]?.startMs ?? 0;
    expect(heardStart - sent.startMs).toBeGreaterThan(0);
    expect(heardStart - sent.startMs).toBeLessThan(400);
    // The caller still gets its answer, after its own end of speech.
    expect(reply).toMatchObject({ turn: 1, kind: "reply", reason: "finished" });
    expect(reply!.callerMarkMs).toBeGreaterThan(t!.startMs);
    expect(reply!.startMs).toBeGreaterThanOrEqual(t!.endMs);
  });

  it("stops within the planned time after a barge-in", async () => {
    const { bot, caller } = await meet("barge-in", {
      latencyMs: 500,
      bargeIn: { stopWithinMs: 250 },
      lines: [
        "Let me read you our full returns policy, which covers clothing, shoes, accessories and gift cards in detail.",
        "Of course, go ahead.",
      ],
    });
    const first = await caller.say(line(0).samples);
    const heardBot = await caller.heardAbove(300, first.endMs);
    const barge = await caller.say(line(1).samples, heardBot + 800);
    await until(() => bot.truth().length === 2, "the cut utterance and the reply");
    const [cut, reply] = bot.truth();
    expect(cut).toMatchObject({ turn: 1, reason: "barge_in", cutShort: true });
    expect(cut!.bargeIn!.plannedStopMs - cut!.bargeIn!.heardAtMs).toBeCloseTo(250, 6);
    // The cut lands on the last sample before the planned stop (within one sample, 1/48 ms).
    const { off, late } = offPlan(cut!.endMs, cut!.bargeIn!.plannedStopMs, cut!.sendLateMs.end);
    expect(off).toBeLessThanOrEqual(1000 / 48_000 + EXACT_MS);
    expect(late).toBeLessThanOrEqual(LATE_BOUND_MS);
    // The bot heard the barge-in after the caller sent it.
    expect(cut!.bargeIn!.heardAtMs).toBeGreaterThan(barge.startMs);
    expect(cut!.bargeIn!.heardAtMs - barge.startMs).toBeLessThan(400);
    expect(reply).toMatchObject({ turn: 2, kind: "reply", reason: "finished" });
    expect(bot.heardCaller().map((h) => h.bargeIn)).toEqual([false, true]);
  });

  it("keeps talking through a barge-in it is told to ignore, then answers it", async () => {
    const { bot, caller } = await meet("ignore", {
      latencyMs: 500,
      bargeIn: "ignore",
      lines: [
        "Let me read you our full returns policy, which covers clothing, shoes, accessories and gift cards.",
        "Yes, that is fine.",
      ],
    });
    const first = await caller.say(line(0).samples);
    const heardBot = await caller.heardAbove(300, first.endMs);
    await caller.say(line(1).samples, heardBot + 800);
    await until(() => bot.truth().length === 2, "the whole utterance and the reply");
    const [whole, reply] = bot.truth();
    expect(whole).toMatchObject({ reason: "finished", cutShort: false, bargeIn: null });
    expect(reply).toMatchObject({ turn: 2, kind: "reply", reason: "finished" });
    expect(reply!.startMs).toBeGreaterThanOrEqual(whole!.endMs);
    expect(bot.heardCaller().map((h) => h.bargeIn)).toEqual([false, true]);
  });
});
