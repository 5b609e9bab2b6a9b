/**
 * A CallRoom (and its connector) for shell tests on a ManualClock: the caller's microphone drives
 * time — each frame handed over advances the clock by one frame, like a real-time queue — and a
 * scripted agent answers on the same clock: it greets, then replies a fixed delay after each
 * caller line falls silent, publishing its words as `lk.transcription`. Its audio is a tone the
 * energy VAD hears exactly, and digital silence otherwise.
 */
import type { ManualClock } from "../media/clock.ts";
import type {
  CallRoom,
  CallRoomConnectOptions,
  CallRoomConnector,
  CallRoomEvent,
} from "../room/call-room.ts";

export interface FakeAgentScript {
  identity: string;
  /** Clock ms the agent joins (at or after the caller connects). */
  joinAtMs: number;
  greeting?: { startMs: number; durationMs: number; text: string };
  /** After each caller line goes silent: speak this long, this much later. */
  reply: { delayMs: number; durationMs: number; text: string };
  /** Leaves the room this long after its n-th reply ended (counting from 1). */
  leaveAfterReply?: { reply: number; afterMs: number };
}

const RATE = 16_000;
const FRAME_MS = 10;

export class FakeCallRoom implements CallRoom, CallRoomConnector {
  readonly roomName = "fake-room";
  readonly localIdentity = "caller";
  readonly sampleRate = RATE;
  readonly microphoneFrameMs = FRAME_MS;
  readonly microphoneTrackSid = "TR_caller";
  readonly dtmfSent: { digit: string; atMs: number }[] = [];
  readonly callerTranscriptions: string[] = [];
  left = false;
  private onEvent: ((e: CallRoomEvent) => void) | undefined;
  private joined = false;
  /** Agent speech on the clock: [startMs, endMs). */
  private readonly agentSpeech: { startMs: number; endMs: number; text: string }[] = [];
  private callerLoud = false;
  private replies = 0;

  constructor(
    private readonly clock: ManualClock,
    private readonly agent: FakeAgentScript,
  ) {
    if (agent.greeting)
      this.agentSpeech.push({
        startMs: agent.greeting.startMs,
        endMs: agent.greeting.startMs + agent.greeting.durationMs,
        text: agent.greeting.text,
      });
  }

  async connect(options: CallRoomConnectOptions): Promise<CallRoom> {
    this.onEvent = options.onEvent;
    return this;
  }

  remoteIdentities(): string[] {
    return this.joined ? [this.agent.identity] : [];
  }

  /** One caller frame: the agent hears it, its own frame for the same slot arrives, the clock moves on. */
  async captureFrame(samples: Int16Array): Promise<void> {
    const t = this.clock.now();
    if (!this.left) this.agentStep(t, samples);
    this.clock.advance(FRAME_MS);
    await new Promise((r) => setImmediate(r));
  }

  async sendDtmf(digit: string): Promise<void> {
    this.dtmfSent.push({ digit, atMs: this.clock.now() });
  }

  async publishTranscription(text: string): Promise<void> {
    this.callerTranscriptions.push(text);
  }

  async leave(): Promise<void> {
    this.left = true;
  }

  private emit(e: CallRoomEvent): void {
    this.onEvent?.(e);
  }

  private agentStep(t: number, callerFrame: Int16Array): void {
    const { identity } = this.agent;
    if (!this.joined) {
      if (t < this.agent.joinAtMs) return;
      this.joined = true;
      this.emit({ type: "participant_joined", identity });
    }
    const loud = callerFrame.some((s) => s !== 0);
    if (this.callerLoud && !loud) {
      const startMs = t + this.agent.reply.delayMs;
      this.agentSpeech.push({
        startMs,
        endMs: startMs + this.agent.reply.durationMs,
        text: this.agent.reply.text,
      });
    }
    this.callerLoud = loud;
    const speaking = this.agentSpeech.find((s) => s.startMs <= t && t < s.endMs);
    if (speaking && speaking.startMs === t) {
      const segmentId = `agent-${this.agentSpeech.indexOf(speaking)}`;
      this.emit({ type: "transcription", identity, segmentId, delta: speaking.text });
      this.emit({ type: "transcription_end", identity, segmentId });
    }
    const ended = this.agentSpeech.find((s) => s.endMs === t);
    if (ended && ended.text === this.agent.reply.text) this.replies += 1;
    const leave = this.agent.leaveAfterReply;
    const lastReply = this.agentSpeech.at(-1);
    if (leave && this.replies >= leave.reply && lastReply && t >= lastReply.endMs + leave.afterMs) {
      this.left = true;
      this.emit({ type: "participant_left", identity });
      return;
    }
    const audio = new Int16Array((RATE * FRAME_MS) / 1000);
    if (speaking)
      for (let i = 0; i < audio.length; i++)
        audio[i] = Math.round(8_000 * Math.sin((2 * Math.PI * 220 * i) / RATE));
    this.emit({
      type: "audio",
      identity,
      audio: { samples: audio, sampleRate: RATE },
      receivedAtMs: t + FRAME_MS,
    });
  }
}
