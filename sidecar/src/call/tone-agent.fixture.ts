/**
 * A tiny counterpart agent for media tests: a real rtc-node participant that answers each caller
 * utterance with a tone burst after a known delay, publishes "reply N" on `lk.transcription`,
 * stops when barged in on, and records what it received (DTMF, the caller's transcription). Its
 * timestamps (performance.now, the same clock as the caller's in one process) are ground truth.
 */
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
import { monotonicClock } from "../media/clock.ts";
import { MicrophonePlayout } from "./microphone-playout.ts";

const RATE = 48_000;
const LOUD_RMS = 0.02 * 32768;
const CHUNK_MS = 20;

export interface ToneAgentOptions {
  url: string;
  token: string;
  /** Silence that marks the caller's end of speech, as the agent hears it. */
  hearSilenceMs?: number;
  /** From the last loud frame heard to the reply's first sample. */
  replyDelayMs: number;
  replyMs: number;
  toneHz?: number;
  /** Leave the room after this many replies (and `leaveAfterMs` more). */
  leaveAfterReplies?: number;
  leaveAfterMs?: number;
  /** Never answer (agent_timeout). */
  mute?: boolean;
  /** Stop the reply when the caller speaks over it. */
  stopOnBargeIn?: boolean;
  /** Say this (48 kHz mono) instead of a tone burst, and publish no transcription (the STT path). */
  speech?: Int16Array;
}

export interface ToneReply {
  /** performance.now() of the last loud frame of the caller utterance this answers. */
  heardEndAtMs: number;
  /** Playout time of the reply's first and last sample. */
  startMs: number;
  endMs: number;
  /** Set when the caller barged in: when the agent heard it. */
  bargeInHeardAtMs?: number;
}

export class ToneAgent {
  readonly replies: ToneReply[] = [];
  readonly dtmf: { code: number; digit: string }[] = [];
  readonly callerTranscripts: { text: string; attributes: Record<string, string> }[] = [];
  private readonly room = new Room();
  private readonly source = new AudioSource(RATE, 1, 50);
  private readonly track = LocalAudioTrack.createAudioTrack("agent-voice", this.source);
  private readonly playout = new MicrophonePlayout(
    { sampleRate: RATE, captureFrame: (s) => this.source.captureFrame(new AudioFrame(s, RATE, 1, s.length)) },
    monotonicClock,
  );
  private lastLoudAtMs: number | undefined;
  private answeredUpTo = 0;
  private replying: ToneReply | undefined;
  private reading: ReadableStreamDefaultReader<AudioFrame> | undefined;
  private closed = false;
  private trackSid = "";

  private constructor(private readonly o: ToneAgentOptions) {}

  static async join(options: ToneAgentOptions): Promise<ToneAgent> {
    const agent = new ToneAgent(options);
    await agent.start();
    return agent;
  }

  private async start(): Promise<void> {
    this.room.on(RoomEvent.DtmfReceived, (code: number, digit: string) => this.dtmf.push({ code, digit }));
    this.room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack, _p, participant: RemoteParticipant) => {
      if (track.kind === TrackKind.KIND_AUDIO) this.listen(track, participant.identity);
    });
    this.room.registerTextStreamHandler("lk.transcription", (reader) => {
      const attributes = reader.info.attributes ?? {};
      reader.readAll().then(
        (text) => this.callerTranscripts.push({ text, attributes }),
        () => undefined,
      );
    });
    await this.room.connect(this.o.url, this.o.token, { autoSubscribe: true, dynacast: false });
    const pub = await this.room.localParticipant?.publishTrack(
      this.track,
      new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
    );
    this.trackSid = pub?.sid ?? "";
    // The first data a participant sends waits for its data channel (~1 s on the dev server);
    // send it now so reply texts arrive with their audio, as a long-running agent's do.
    await this.room.localParticipant?.sendText("ready", { topic: "spar.warmup" });
    this.playout.start();
  }

  private listen(track: RemoteTrack, _identity: string): void {
    const reader = new AudioStream(track, { sampleRate: RATE, numChannels: 1 }).getReader();
    this.reading = reader;
    const hearSilenceMs = this.o.hearSilenceMs ?? 400;
    const pump = async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || !value || this.closed) return;
        const now = performance.now();
        let sum = 0;
        for (const s of value.data) sum += s * s;
        const loud = Math.sqrt(sum / value.data.length) > LOUD_RMS;
        if (loud) {
          this.lastLoudAtMs = now;
          const r = this.replying;
          if (r && this.o.stopOnBargeIn && now > r.startMs + 100 && r.bargeInHeardAtMs === undefined)
            r.bargeInHeardAtMs = now;
        }
        const heardEnd = this.lastLoudAtMs;
        if (
          heardEnd !== undefined &&
          heardEnd > this.answeredUpTo &&
          now - heardEnd >= hearSilenceMs &&
          !this.replying &&
          !this.o.mute
        ) {
          this.answeredUpTo = heardEnd;
          this.reply(heardEnd).catch(() => undefined);
        }
      }
    };
    pump().catch(() => undefined);
  }

  private async reply(heardEndAtMs: number): Promise<void> {
    const n = this.replies.length + 1;
    const chunkSamples = (RATE * CHUNK_MS) / 1000;
    const speech = this.o.speech;
    const chunks = speech ? Math.ceil(speech.length / chunkSamples) : Math.ceil(this.o.replyMs / CHUNK_MS);
    const freq = this.o.toneHz ?? 440;
    const reply: ToneReply = { heardEndAtMs, startMs: 0, endMs: 0 };
    this.replying = reply;
    this.replies.push(reply);
    for (let c = 0; c < chunks; c++) {
      if (reply.bargeInHeardAtMs !== undefined) break;
      const samples = new Int16Array(chunkSamples);
      if (speech) samples.set(speech.subarray(c * chunkSamples, (c + 1) * chunkSamples));
      else
        for (let i = 0; i < chunkSamples; i++) {
          const t = (c * chunkSamples + i) / RATE;
          samples[i] = Math.round(0.3 * 32767 * Math.sin(2 * Math.PI * freq * t));
        }
      const played = await this.playout.play(
        samples,
        c === 0 ? { notBeforeMs: heardEndAtMs + this.o.replyDelayMs } : {},
      );
      if (c === 0) {
        reply.startMs = played.startMs;
        if (!speech)
          this.room.localParticipant
            ?.sendText(`reply ${n}`, {
              topic: "lk.transcription",
              attributes: {
                "lk.segment_id": `agent-${n}`,
                "lk.transcription_final": "true",
                "lk.transcribed_track_id": this.trackSid,
              },
            })
            .catch(() => undefined);
      }
      reply.endMs = played.endMs;
    }
    this.replying = undefined;
    // Let the caller's own echo-free silence settle before listening for the next utterance.
    this.answeredUpTo = Math.max(this.answeredUpTo, performance.now());
    if (this.o.leaveAfterReplies !== undefined && this.replies.length >= this.o.leaveAfterReplies) {
      await new Promise((r) => setTimeout(r, this.o.leaveAfterMs ?? 300));
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reading?.cancel().catch(() => undefined);
    await this.playout.stop().catch(() => undefined);
    await this.room.disconnect().catch(() => undefined);
    await this.track.close().catch(() => undefined);
    await this.source.close().catch(() => undefined);
  }
}
