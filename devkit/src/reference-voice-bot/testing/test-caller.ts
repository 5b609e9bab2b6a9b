import type { Room } from "@livekit/rtc-node";
import { concatPcm, joinRtcParticipant, type RtcMicrophone, type RtcParticipant } from "@spar/sidecar";
import { OutputSchedule } from "../output-schedule.ts";
import { ReceiveClock } from "../receive-clock.ts";
import { TRANSCRIPTION_TOPIC } from "../transcription-writer.ts";
import { BOT_SAMPLE_RATE } from "../voice-lines.ts";

const FRAME = BOT_SAMPLE_RATE / 100;

export interface SentSpeech {
  id: string;
  /** performance.now() when the first / last sample was handed to WebRTC. */
  startMs: number;
  endMs: number;
  cut: boolean;
}

export interface ReceivedTranscription {
  identity: string;
  attributes: Record<string, string>;
  text: string;
}

/** What the caller receives: audio from `listenTo` on a sample-counted clock, and transcriptions. */
interface Heard {
  chunks: Int16Array[];
  clock: ReceiveClock;
  transcriptions: ReceivedTranscription[];
}

/**
 * A plain rtc-node participant for media tests: it says known audio at known times (logging when
 * its first and last samples left, exactly like the bot), keeps everything it receives from one
 * remote participant on a sample-counted clock, and collects `lk.transcription` streams.
 */
export class TestCaller {
  readonly schedule = new OutputSchedule(BOT_SAMPLE_RATE, FRAME);
  readonly sent: SentSpeech[] = [];
  readonly transcriptions: ReceivedTranscription[];
  readonly receiveClock: ReceiveClock;
  private readonly chunks: Int16Array[];
  private readonly starts = new Map<string, number>();
  private readonly waiters = new Map<string, (s: SentSpeech) => void>();
  private running = true;
  private loop: Promise<void> = Promise.resolve();
  private count = 0;

  private constructor(
    private readonly participant: RtcParticipant,
    private readonly microphone: RtcMicrophone,
    heard: Heard,
  ) {
    this.transcriptions = heard.transcriptions;
    this.receiveClock = heard.clock;
    this.chunks = heard.chunks;
  }

  get room(): Room {
    return this.participant.room;
  }

  static async join(url: string, token: string, listenTo: string): Promise<TestCaller> {
    // Filled from the start of the join, before the caller object exists.
    const heard: Heard = {
      chunks: [],
      clock: new ReceiveClock(BOT_SAMPLE_RATE),
      transcriptions: [],
    };
    const participant = await joinRtcParticipant({
      url,
      token,
      onRoom: (room) =>
        // Not awaited by close(): a stream the bot never finished (it left mid-word) never settles.
        room.registerTextStreamHandler(TRANSCRIPTION_TOPIC, (reader, from) => {
          void reader.readAll().then(
            (text) =>
              heard.transcriptions.push({
                identity: from.identity,
                attributes: reader.info.attributes ?? {},
                text,
              }),
            () => undefined,
          );
        }),
      audio: {
        sampleRate: BOT_SAMPLE_RATE,
        from: (identity) => identity === listenTo,
        onFrame: (frame) => {
          heard.clock.frame(frame.data.length, performance.now());
          heard.chunks.push(frame.data.slice());
        },
      },
      // No queue: captureFrame hands each frame to the encoder, so its moment is when the samples left.
      microphone: { trackName: "test-caller-mic", sampleRate: BOT_SAMPLE_RATE, queueMs: 0 },
    });
    const microphone = participant.microphone;
    if (!microphone) throw new Error("test caller: joined without its microphone");
    const caller = new TestCaller(participant, microphone, heard);
    caller.start();
    return caller;
  }

  /** Says `samples` starting at `atMs` (default: next frame); resolves when its last sample left. */
  say(samples: Int16Array, atMs: number = performance.now()): Promise<SentSpeech> {
    const id = `caller-${++this.count}`;
    this.schedule.play({ id, samples, startAtMs: atMs });
    return new Promise((resolve) => this.waiters.set(id, resolve));
  }

  /** All audio received so far from `listenTo`, sample 0 at `receiveClock.msOfSample(0)`. */
  received(): Int16Array {
    return concatPcm(this.chunks);
  }

  /** Resolves with the clock ms of the first received sample louder than `level` after `afterMs`. */
  async heardAbove(level: number, afterMs: number, timeoutMs = 10_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    let chunk = 0;
    let index = 0;
    // Scans only what arrived since the last look: the bot under test shares this event loop.
    while (performance.now() < deadline) {
      for (; chunk < this.chunks.length; chunk++) {
        const c = this.chunks[chunk] ?? new Int16Array();
        for (let i = 0; i < c.length; i++) {
          const at = this.receiveClock.msOfSample(index + i);
          if (at > afterMs && Math.abs(c[i] ?? 0) > level) return at;
        }
        index += c.length;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`nothing above ${level} heard within ${timeoutMs} ms`);
  }

  private start(): void {
    this.loop = (async () => {
      const t0 = performance.now();
      let last = t0;
      for (let k = 0; this.running; k++) {
        const due = t0 + k * 10;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const frame = this.schedule.next(due);
        const handoff = performance.now();
        await this.microphone.captureFrame(frame.samples);
        for (const e of frame.events) {
          const at =
            e.offset >= 0
              ? handoff + (e.offset * 1000) / BOT_SAMPLE_RATE
              : last + (479 * 1000) / BOT_SAMPLE_RATE;
          if (e.type === "started") this.starts.set(e.id, at);
          else {
            const s: SentSpeech = { id: e.id, startMs: this.starts.get(e.id) ?? at, endMs: at, cut: e.cut };
            this.sent.push(s);
            this.waiters.get(e.id)?.(s);
            this.waiters.delete(e.id);
          }
        }
        last = handoff;
      }
    })();
  }

  async close(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.participant.close();
  }
}
