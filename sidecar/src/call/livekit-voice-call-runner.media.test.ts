/**
 * The LiveKit call runner's timing against the real dev server with real rtc-node participants:
 * a tone agent (tone-agent.fixture.ts) answers with known delays; every bound below is stated
 * with its reason. One call per test; runs inside the media network namespace. The stage
 * failures and end reasons are in livekit-voice-call-ends.media.test.ts.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { resample } from "../media/audio/sinc-resampler.ts";
import { decodeWav } from "../media/audio/wav.ts";
import { pocketsphinxAvailable } from "../media/stt/pocketsphinx-speech-to-text.ts";
import { FliteWasiTextToSpeech } from "../media/tts/flite-wasi-text-to-speech.ts";
import { perfAt, useCallerMedia, WALL_OFFSET_MS } from "./caller-media.fixture.ts";
import { LiveKitVoiceCallRunner } from "./livekit-voice-call-runner.ts";
import { ToneAgent } from "./tone-agent.fixture.ts";

const media = useCallerMedia();

/** RMS of one channel of an interleaved WAV between two times. */
function rmsOf(
  samples: Int16Array,
  channels: number,
  channel: number,
  rate: number,
  fromMs: number,
  toMs: number,
) {
  const a = Math.max(0, Math.floor((fromMs * rate) / 1000));
  const b = Math.min(samples.length / channels, Math.floor((toMs * rate) / 1000));
  let sum = 0;
  for (let i = a; i < b; i++) sum += (samples[i * channels + channel] ?? 0) ** 2;
  return b > a ? Math.sqrt(sum / (b - a)) : 0;
}

describe("LiveKit call runner timing (real rtc-node, real dev server)", () => {
  it("runs a 3-turn scripted call: transcript, DTMF, caller transcription, recordings, metrics vs a known delay", async () => {
    const room = media.nextRoom();
    const delay = 500;
    const agent = await ToneAgent.join({
      url: media.url,
      token: await media.token("agent", room),
      replyDelayMs: delay,
      replyMs: 700,
    });
    try {
      const { result, events } = await media.run(
        media.runner(),
        await media.job(room, {
          script: [
            { say: "Hello, I would like to pay my bill." },
            { expect: "reply 1", say: 'My account is <dtmf digits="12#"/>' },
            { expect: "reply 2", say: "Yes, go ahead please." },
            { expect: "/reply 3/" },
            { end: true },
          ],
        }),
      );
      expect(result).toMatchObject({ status: "completed", ended_reason: "caller_ended" });
      expect(result.error_message).toBeUndefined();
      expect(result.transcript.map((t) => [t.role, t.content])).toEqual([
        ["user", "Hello, I would like to pay my bill."],
        ["agent", "reply 1"],
        ["user", 'My account is <dtmf digits="12#"/>'],
        ["agent", "reply 2"],
        ["user", "Yes, go ahead please."],
        ["agent", "reply 3"],
      ]);
      for (const t of result.transcript) expect(t.end_ms).toBeGreaterThan(t.start_ms);

      // DTMF as SIP data packets, in order, with RFC 4733 codes.
      expect(agent.dtmf).toEqual([
        { code: 1, digit: "1" },
        { code: 2, digit: "2" },
        { code: 11, digit: "#" },
      ]);
      // The caller's words on lk.transcription, DTMF tags stripped, tied to its track.
      expect(agent.callerTranscripts.map((t) => t.text)).toEqual([
        "Hello, I would like to pay my bill.",
        "My account is",
        "Yes, go ahead please.",
      ]);
      expect(agent.callerTranscripts[0]?.attributes["lk.transcription_final"]).toBe("true");
      expect(agent.callerTranscripts[0]?.attributes["lk.transcribed_track_id"]).toMatch(/^TR_/);

      // Latency: caller end of speech (playout) → agent's first speech frame (VAD on the received
      // track). The agent answered `delay` ms after it HEARD the end, so each turn is delay plus
      // transit both ways, the agent's hearing granularity and the VAD frame: bound [delay, delay + 400].
      const latency = result.metrics?.latency_ms;
      expect(latency?.turns.map((t) => t.turn)).toEqual([1, 2, 3]);
      for (const t of latency?.turns ?? []) {
        expect(t.latency_ms).toBeGreaterThanOrEqual(delay);
        expect(t.latency_ms).toBeLessThanOrEqual(delay + 400);
      }
      // Against ground truth on the shared clock: reply first sample (agent playout) vs the
      // caller's measured agent onset = agent→caller transit + VAD onset error (≤ 150 ms).
      const user = result.transcript.filter((t) => t.role === "user");
      const agentTurns = result.transcript.filter((t) => t.role === "agent");
      const callStartMs = perfAt(result.started_at);
      expect(agent.replies).toHaveLength(3);
      const latencyErrors = (latency?.turns ?? []).map((t, i) => {
        const reply = agent.replies[i];
        const u = user[i];
        return reply && u ? t.latency_ms - (reply.startMs - callStartMs - u.end_ms) : Number.NaN;
      });
      for (const e of latencyErrors) {
        expect(e).toBeGreaterThanOrEqual(-5);
        expect(e).toBeLessThanOrEqual(150);
      }
      console.log(
        `latency turns ms: ${latency?.turns.map((t) => t.latency_ms).join(", ")}; error vs agent playout (transit + VAD): ${latencyErrors.map((e) => e.toFixed(1)).join(", ")}`,
      );
      expect(result.metrics?.measured_with.latency_ms).toMatchObject({
        caller_source: "playout_timestamps",
        agent_source: "vad",
        vad: { engine: "energy", frame_ms: 10 },
      });
      expect(result.metrics?.measured_with.words_per_minute.stt).toEqual({
        engine: "lk.transcription",
        fidelity: "exact",
      });
      expect(result.metrics?.time_to_first_audio_ms).toBeGreaterThan(0);
      expect(result.metrics?.talk_ratio).toBeGreaterThan(0);
      expect(result.metrics?.talk_ratio).toBeLessThan(1);

      // Recordings: rate in header and result, caller left / agent right on one clock.
      const rec = result.recording;
      expect(rec?.sample_rate_hz).toBe(48_000);
      const stereo = decodeWav(new Uint8Array(await readFile(rec?.stereo_path ?? "")));
      expect(stereo).toMatchObject({ sampleRate: 48_000, channels: 2 });
      const u1 = user[0];
      const a1 = agentTurns[0];
      if (!u1 || !a1) throw new Error("missing turns");
      expect(rmsOf(stereo.samples, 2, 0, 48_000, u1.start_ms, u1.end_ms)).toBeGreaterThan(300);
      expect(rmsOf(stereo.samples, 2, 1, 48_000, u1.start_ms, u1.end_ms)).toBeLessThan(100);
      expect(rmsOf(stereo.samples, 2, 1, 48_000, a1.start_ms + 50, a1.end_ms - 50)).toBeGreaterThan(3_000);
      expect(rmsOf(stereo.samples, 2, 0, 48_000, a1.start_ms + 50, a1.end_ms - 50)).toBeLessThan(100);
      expect(rec?.participants.map((p) => [p.identity, p.role]).sort()).toEqual([
        ["agent", "agent"],
        ["rubric-test-caller", "user"],
      ]);
      for (const p of rec?.participants ?? []) {
        const wav = decodeWav(new Uint8Array(await readFile(p.path)));
        expect(wav).toMatchObject({ sampleRate: 48_000, channels: 1 });
      }
      expect(result.artifacts.map((a) => a.part).sort()).toEqual([
        "recording_agent",
        "recording_stereo",
        "recording_user",
      ]);
      for (const a of result.artifacts) {
        const bytes = await readFile(a.path);
        expect(a.bytes).toBe(bytes.length);
        expect(a.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
      }
      expect(
        events.filter((e) => e.type === "stage_finished").map((e) => e.type === "stage_finished" && e.stage),
      ).toEqual(["room_entry", "connect", "agent_join"]);
      expect(events.filter((e) => e.type === "turn")).toHaveLength(6);
    } finally {
      await agent.close();
    }
  });

  it("barges in interrupt_after_ms after the agent's onset; the agent stops and the interruption is measured", async () => {
    const room = media.nextRoom();
    const agent = await ToneAgent.join({
      url: media.url,
      token: await media.token("agent", room),
      replyDelayMs: 300,
      replyMs: 4_000,
      stopOnBargeIn: true,
    });
    try {
      const { result } = await media.run(
        media.runner(),
        await media.job(room, {
          script: [
            { say: "Tell me everything." },
            { say: "Stop, that is enough.", interrupt_after_ms: 800 },
            { end: true },
          ],
        }),
      );
      expect(result).toMatchObject({ status: "completed", ended_reason: "caller_ended" });
      const [u1, a1, u2] = result.transcript;
      expect([u1?.role, a1?.role, u2?.role]).toEqual(["user", "agent", "user"]);
      // Scheduled on the caller's clock: first barge-in speech sample = measured agent onset + 800, to 0.1 ms rounding.
      expect(Math.abs((u2?.start_ms ?? 0) - (a1?.start_ms ?? 0) - 800)).toBeLessThanOrEqual(0.2);
      // The agent stopped (it heard the barge-in): its turn is far shorter than the 4 s tone.
      expect((a1?.end_ms ?? 0) - (a1?.start_ms ?? 0)).toBeLessThan(2_000);
      const reply = agent.replies[0];
      expect(reply?.bargeInHeardAtMs).toBeDefined();
      const interruptions = result.metrics?.user_interruptions;
      expect(interruptions?.count).toBe(1);
      const stop = result.metrics?.stop_time_after_interruption.events[0]?.stop_time_ms ?? -1;
      // Stop time = caller transit + agent hearing (≥ 1 frame) + its 20 ms chunking + queue + return transit: bound 30..500 ms.
      expect(stop).toBeGreaterThan(30);
      expect(stop).toBeLessThan(500);
      console.log(
        `barge-in: agent onset ${a1?.start_ms} ms, caller barge-in ${u2?.start_ms} ms, stop time ${stop} ms`,
      );
    } finally {
      await agent.close();
    }
  });

  it.skipIf(!pocketsphinxAvailable())(
    "falls back to offline STT (low fidelity) when the agent publishes no transcription",
    async () => {
      const room = media.nextRoom();
      const said = await new FliteWasiTextToSpeech("rms").synthesize("Hello, how can I help you today?");
      const speech = resample(said.samples, said.sampleRate, 48_000);
      const agent = await ToneAgent.join({
        url: media.url,
        token: await media.token("agent", room),
        replyDelayMs: 300,
        replyMs: 0,
        speech,
      });
      try {
        const r = new LiveKitVoiceCallRunner({
          recordingsDir: media.dir,
          stt: "pocketsphinx",
          wallNow: () => performance.now() + WALL_OFFSET_MS,
        });
        const { result } = await media.run(
          r,
          await media.job(room, { script: [{ say: "Hi there." }, { end: true }] }),
        );
        expect(result).toMatchObject({ status: "completed", ended_reason: "caller_ended" });
        const words = result.transcript.find((t) => t.role === "agent")?.content ?? "";
        console.log(`pocketsphinx heard: "${words}"`);
        // ~16-24 % WER after Opus (notes/speech-offline.md): ask for 2 of the 4 content words.
        const hits = ["hello", "how", "help", "today"].filter((w) => words.toLowerCase().includes(w));
        expect(hits.length).toBeGreaterThanOrEqual(2);
        expect(result.metrics?.measured_with.words_per_minute.stt).toEqual({
          engine: "pocketsphinx/en-us",
          fidelity: "low_fidelity",
        });
        expect(result.metrics?.words_per_minute).toBeGreaterThan(0);
      } finally {
        await agent.close();
      }
    },
  );
});
