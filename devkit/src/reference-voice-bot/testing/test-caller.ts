import {
  AudioFrame,
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  type RemoteParticipant,
  type RemoteTrack,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
} from "@livekit/rtc-node";
import { concatPcm } from "@spar/sidecar";
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

/**
 * A plain rtc-node participant for media tests: it says known audio at known times (logging when
 * its first and last samples left, exactly like the bot), keeps everything it receives from one
 * remote participant on a sample-counted clock, and collects `lk.transcription` streams.
 */
export class TestCaller {
  readonly schedule = new OutputSchedule(BOT_SAMPLE_RATE, FRAME);
  readonly sent: SentSpeech[] = [];
  readonly transcriptions: ReceivedTranscription[] = [];
  readonly receiveClock = new ReceiveClock(BOT_SAMPLE_RATE);
  private readonly chunks: Int16Array[] = [];
  private readonly starts = new Map<string, number>();
  private readonly waiters = new Map<string, (s: SentSpeech) => void>();
  private running = true;
  private loop: Promise<void> = Promise.resolve();
  /** Audio readers and their pumps: close() cancels the readers, so the pumps end even when the
   * server has already dropped this participant and no frame will ever come again. */
  private readers: ReadableStreamDefaultReader<{ data: Int16Array }>[] = [];
  private pumps: Promise<void>[] = [];
  private count = 0;

  private constructor(
    readonly room: Room,
    private readonly source: AudioSource,
    private readonly track: LocalAudioTrack,
    private readonly listenTo: string,
  ) {}

  static async join(url: string, token: string, listenTo: string): Promise<TestCaller> {
    const room = new Room();
    await room.connect(url, token, { autoSubscribe: true, dynacast: false });
    const source = new AudioSource(BOT_SAMPLE_RATE, 1, 0);
    const track = LocalAudioTrack.createAudioTrack("test-caller-mic", source);
    await room.localParticipant?.publishTrack(
      track,
      new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
    );
    const caller = new TestCaller(room, source, track, listenTo);
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
    this.room.on(RoomEvent.TrackSubscribed, (t: RemoteTrack, _p: unknown, who: RemoteParticipant) =>
      this.read(t, who),
    );
    for (const p of this.room.remoteParticipants.values())
      for (const pub of p.trackPublications.values()) if (pub.track) this.read(pub.track, p);
    // Not awaited by close(): a stream the bot never finished (it left mid-word) never settles.
    this.room.registerTextStreamHandler(TRANSCRIPTION_TOPIC, (reader, from) => {
      void reader.readAll().then(
        (text) => {
          this.transcriptions.push({
            identity: from.identity,
            attributes: reader.info.attributes ?? {},
            text,
          });
        },
        () => undefined,
      );
    });
    this.loop = (async () => {
      const t0 = performance.now();
      let last = t0;
      for (let k = 0; this.running; k++) {
        const due = t0 + k * 10;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const frame = this.schedule.next(due);
        const handoff = performance.now();
        await this.source.captureFrame(new AudioFrame(frame.samples, BOT_SAMPLE_RATE, 1, FRAME));
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

  private read(track: RemoteTrack, who: RemoteParticipant): void {
    if (track.kind !== TrackKind.KIND_AUDIO || who.identity !== this.listenTo) return;
    const reader = new AudioStream(track, { sampleRate: BOT_SAMPLE_RATE, numChannels: 1 }).getReader();
    this.readers.push(reader);
    this.pumps.push(
      (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done || !value || !this.running) {
            await reader.cancel().catch(() => undefined);
            return;
          }
          this.receiveClock.frame(value.data.length, performance.now());
          this.chunks.push(value.data.slice());
        }
      })(),
    );
  }

  async close(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.track.close();
    await this.source.close();
    await this.room.disconnect();
    for (const reader of this.readers) await reader.cancel().catch(() => undefined);
    await Promise.allSettled(this.pumps);
  }
}
