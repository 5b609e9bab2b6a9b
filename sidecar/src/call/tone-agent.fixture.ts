/**
 * A tiny counterpart agent for media tests: a real rtc-node participant that answers each caller
 * utterance with a tone burst after a known delay, publishes "reply N" on `lk.transcription`,
 * stops when barged in on, and records what it received (DTMF, the caller's transcription). Its
 * timestamps (performance.now, the same clock as the caller's in one process) are ground truth.
 */
import { type AudioFrame, type Room, RoomEvent } from "@livekit/rtc-node";
import { monotonicClock } from "../media/clock.ts";
import { joinRtcParticipant, type RtcParticipant } from "../room/rtc-participant.ts";
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
  private participant: RtcParticipant | undefined;
  private playout: MicrophonePlayout | undefined;
  private lastLoudAtMs: number | undefined;
  private answeredUpTo = 0;
  private replying: ToneReply | undefined;
  private closed = false;
  private trackSid = "";

  private constructor(private readonly o: ToneAgentOptions) {}

  static async join(options: ToneAgentOptions): Promise<ToneAgent> {
    const agent = new ToneAgent(options);
    await agent.start();
    return agent;
  }

  private async start(): Promise<void> {
    this.participant = await joinRtcParticipant({
      url: this.o.url,
      token: this.o.token,
      onRoom: (room) => this.listen(room),
      audio: { sampleRate: RATE, onFrame: (frame) => this.hear(frame) },
      microphone: { trackName: "agent-voice", sampleRate: RATE, queueMs: 50 },
      // The first data a participant sends waits for its data channel (~1 s on the dev server);
      // open it now so reply texts arrive with their audio, as a long-running agent's do.
      warmUpData: true,
    });
    const microphone = this.participant.microphone;
    if (!microphone) throw new Error("tone agent: joined without its microphone");
    this.trackSid = microphone.trackSid;
    this.playout = new MicrophonePlayout(microphone, monotonicClock);
    this.playout.start();
  }

  private listen(room: Room): void {
    room.on(RoomEvent.DtmfReceived, (code: number, digit: string) => this.dtmf.push({ code, digit }));
    room.registerTextStreamHandler("lk.transcription", (reader) => {
      const attributes = reader.info.attributes ?? {};
      reader.readAll().then(
        (text) => this.callerTranscripts.push({ text, attributes }),
        () => undefined,
      );
    });
  }

  private hear(frame: AudioFrame): void {
    // Before the join has finished there is no microphone to answer with.
    if (this.closed || !this.playout) return;
    const now = performance.now();
    let sum = 0;
    for (const s of frame.data) sum += s * s;
    const loud = Math.sqrt(sum / frame.data.length) > LOUD_RMS;
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
      now - heardEnd >= (this.o.hearSilenceMs ?? 400) &&
      !this.replying &&
      !this.o.mute
    ) {
      this.answeredUpTo = heardEnd;
      this.reply(heardEnd, this.playout).catch(() => undefined);
    }
  }

  private async reply(heardEndAtMs: number, playout: MicrophonePlayout): Promise<void> {
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
      const played = await playout.play(
        samples,
        c === 0 ? { notBeforeMs: heardEndAtMs + this.o.replyDelayMs } : {},
      );
      if (c === 0) {
        reply.startMs = played.startMs;
        if (!speech)
          this.participant?.room.localParticipant
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
    await this.playout?.stop().catch(() => undefined);
    await this.participant?.close();
  }
}
