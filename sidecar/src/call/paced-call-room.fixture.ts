/**
 * A CallRoom paced like LiveKit's, for shell tests under vitest's fake timers (setTimeout and
 * performance.now faked, so any shell — timers on the Clock or its own setTimeout polling — runs
 * on one exact timeline). The microphone is an outgoing queue like rtc-node's AudioSource:
 * `microphoneFrameMs` frames into a `queueMs` queue, each frame leaves when the one before it has
 * played, captureFrame resolves once the queue has room again. What left is heard by a scripted
 * agent `transitMs` later, in 10 ms pieces; the agent waits for `hearSilenceMs` of the caller's
 * silence, answers with a tone of `replyMs` and stops `stopMs` after it hears the caller speak
 * over it (a barge-in). Its audio reaches the caller in `receiveFrameMs` frames `transitMs`
 * after it was said. Everything is logged with its exact ms: when each caller frame was handed
 * over and when it left, when the agent heard a barge-in, when it started and stopped.
 */
import type {
  CallRoom,
  CallRoomConnectOptions,
  CallRoomConnector,
  CallRoomEvent,
} from "../room/call-room.ts";

export interface PacedAgentScript {
  joinAfterMs: number;
  hearSilenceMs: number;
  replyMs: number;
  stopMs: number;
  transitMs: number;
}

export interface CallerFrameLog {
  handedAtMs: number;
  leftAtMs: number;
  loud: boolean;
}

export interface AgentReplyLog {
  startMs: number;
  /** When the agent heard the caller speak over it (a barge-in), if it did. */
  bargeInHeardAtMs: number | undefined;
  endMs: number;
}

const RATE = 16_000;
const PIECE_MS = 10;
const TONE_AMPLITUDE = 8_000;

export class PacedCallRoom implements CallRoom, CallRoomConnector {
  readonly roomName = "paced-room";
  readonly localIdentity = "caller";
  readonly sampleRate = RATE;
  readonly microphoneTrackSid = "TR_caller";
  readonly frames: CallerFrameLog[] = [];
  readonly replies: AgentReplyLog[] = [];
  private onEvent: ((e: CallRoomEvent) => void) | undefined;
  /** When the last queued caller frame will have left. */
  private queueEndMs = 0;
  /** Caller audio by the 10 ms piece it left in: loud or not. */
  private readonly loudPieces = new Map<number, boolean>();
  private lastLoudHeardMs: number | undefined;
  private answeredUpTo = Number.NEGATIVE_INFINITY;
  private replying: AgentReplyLog | undefined;
  private timers: ReturnType<typeof setTimeout>[] = [];
  private closed = false;
  private startMs = 0;

  /** performance.now() when the caller connected (= the call's start: transcript times count from it). */
  get connectedAtMs(): number {
    return this.startMs;
  }

  constructor(
    private readonly agent: PacedAgentScript,
    readonly microphoneFrameMs = 100,
    private readonly queueMs = 500,
    private readonly receiveFrameMs = 50,
  ) {}

  async connect(options: CallRoomConnectOptions): Promise<CallRoom> {
    this.onEvent = options.onEvent;
    this.startMs = performance.now();
    this.every(PIECE_MS, (t) => this.agentHears(t));
    this.every(this.receiveFrameMs, (t) => this.sendAgentFrame(t));
    this.timers.push(
      setTimeout(
        () => this.onEvent?.({ type: "participant_joined", identity: "agent" }),
        this.agent.joinAfterMs,
      ),
    );
    return this;
  }

  remoteIdentities(): string[] {
    return ["agent"];
  }

  captureFrame(samples: Int16Array): Promise<void> {
    const now = performance.now();
    const leftAtMs = Math.max(now, this.queueEndMs);
    const frameMs = (samples.length * 1000) / RATE;
    this.queueEndMs = leftAtMs + frameMs;
    let loud = false;
    for (let p = 0; p < frameMs / PIECE_MS; p++) {
      const piece = samples.subarray((p * PIECE_MS * RATE) / 1000, ((p + 1) * PIECE_MS * RATE) / 1000);
      const pieceLoud = piece.some((s) => s !== 0);
      loud ||= pieceLoud;
      this.loudPieces.set(Math.round(leftAtMs + p * PIECE_MS), pieceLoud);
    }
    this.frames.push({ handedAtMs: now, leftAtMs, loud });
    const wait = this.queueEndMs - now - this.queueMs;
    return wait > 0 ? new Promise((r) => setTimeout(r, wait)) : Promise.resolve();
  }

  async sendDtmf(): Promise<void> {}

  async publishTranscription(): Promise<void> {}

  async leave(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
  }

  /** Calls `tick` every `ms` from the start of the call, on the faked timers. */
  private every(ms: number, tick: (t: number) => void): void {
    let n = 0;
    const next = () => {
      n += 1;
      const timer = setTimeout(
        () => {
          if (this.closed) return;
          tick(this.startMs + n * ms);
          next();
        },
        this.startMs + n * ms - performance.now(),
      );
      this.timers.push(timer);
      if (this.timers.length > 64) this.timers = this.timers.slice(-16);
    };
    next();
  }

  /** The agent hears the 10 ms piece that left `transitMs` ago. */
  private agentHears(t: number): void {
    const piece = t - this.agent.transitMs - PIECE_MS;
    const loud = [...this.loudPieces.entries()].some(([at, l]) => l && at <= piece && piece < at + PIECE_MS);
    const r = this.replying;
    if (loud) {
      this.lastLoudHeardMs = t;
      if (r && r.bargeInHeardAtMs === undefined && t > r.startMs + 100) {
        r.bargeInHeardAtMs = t;
        r.endMs = Math.min(r.endMs, t + this.agent.stopMs);
      }
    }
    if (r && t >= r.endMs) this.replying = undefined;
    const heardEnd = this.lastLoudHeardMs;
    if (
      !this.replying &&
      heardEnd !== undefined &&
      heardEnd > this.answeredUpTo &&
      t - heardEnd >= this.agent.hearSilenceMs
    ) {
      this.answeredUpTo = heardEnd;
      const reply = { startMs: t, bargeInHeardAtMs: undefined, endMs: t + this.agent.replyMs };
      this.replies.push(reply);
      this.replying = reply;
    }
  }

  /** The agent's frame that ended `transitMs` ago reaches the caller: tone where it spoke. */
  private sendAgentFrame(t: number): void {
    const from = t - this.agent.transitMs - this.receiveFrameMs;
    const samples = new Int16Array((this.receiveFrameMs * RATE) / 1000);
    for (let i = 0; i < samples.length; i++) {
      const at = from + (i * 1000) / RATE;
      if (this.replies.some((r) => r.startMs <= at && at < r.endMs))
        samples[i] = Math.round(TONE_AMPLITUDE * Math.sin((2 * Math.PI * 220 * i) / RATE));
    }
    this.onEvent?.({
      type: "audio",
      identity: "agent",
      audio: { samples, sampleRate: RATE },
      receivedAtMs: t,
    });
  }
}
