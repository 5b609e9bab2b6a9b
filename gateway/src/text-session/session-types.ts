/**
 * Types of the text-session core: the events a shell feeds in, the effects it must carry out,
 * and the result every ending produces (spec/text-protocol.md).
 */
import type { CallerMove } from "@spar/caller";
import type { EndedBy, EndedReason, FinalRunStatus, TranscriptEntry } from "@spar/protocol";

export interface SessionConfig {
  perTurnTimeoutMs: number;
  maxDurationMs: number;
  firstSpeaker: "caller" | "agent";
  /** After an agent reply, wait this long for more frames before the caller answers. */
  settleMs: number;
  /** Give up connecting after this long (spec: 10 s). */
  connectTimeoutMs: number;
  /** After the caller's end_call, wait this long for the agent to close (spec: 5 s). */
  closeGraceMs: number;
}

export const DEFAULT_SESSION_CONFIG: SessionConfig = {
  perTurnTimeoutMs: 120_000,
  maxDurationMs: 600_000,
  firstSpeaker: "caller",
  settleMs: 300,
  connectTimeoutMs: 10_000,
  closeGraceMs: 5_000,
};

export type TimerName = "connect" | "turn" | "settle" | "wait" | "close_grace" | "max_duration";

/** Everything that can happen to a session. `at` is ms on the shell's clock. */
export type SessionEvent =
  | { type: "start"; at: number }
  | { type: "connected"; at: number }
  | { type: "connect_failed"; at: number; detail: string }
  | { type: "frame"; at: number; data: string | Uint8Array }
  /** The transport refused a frame before we could read it (e.g. over the transport's size cap). */
  | { type: "frame_rejected"; at: number; detail: string }
  /** `clean`: a close frame arrived (anything but 1006). */
  | { type: "closed"; at: number; code: number; reason: string; clean: boolean }
  | { type: "timer"; at: number; timer: TimerName }
  | { type: "caller_move"; at: number; move: CallerMove }
  | { type: "caller_failed"; at: number; detail: string }
  /** The platform gives up on the session (a bug in the shell). */
  | { type: "abort"; at: number; detail: string }
  /** Whoever started the run stopped it (Ctrl-C, shutdown): no verdict on the agent. */
  | { type: "interrupt"; at: number; detail: string };

/** What we close with: done, going away (interrupted), protocol error, internal error. */
export type CloseCode = 1000 | 1001 | 1002 | 1011;

/** What the shell must do, in order. */
export type SessionEffect =
  | { type: "connect" }
  | { type: "send"; data: string }
  | { type: "set_timer"; timer: TimerName; dueAt: number }
  | { type: "clear_timer"; timer: TimerName }
  | { type: "ask_caller"; transcript: readonly TranscriptEntry[]; repliesSinceLastCaller: readonly string[] }
  | { type: "close"; code: CloseCode; reason: string }
  | { type: "finish"; result: SessionResult };

export interface SessionResult {
  status: FinalRunStatus;
  endedReason: EndedReason;
  endedBy: EndedBy;
  /** Human-readable why, for failed runs (and a caller's expectation failure); else null. */
  error: string | null;
  /** Set when the caller ended the call because an expectation failed. */
  expectationFailure: string | null;
  transcript: TranscriptEntry[];
  metadata: Record<string, unknown>;
  startedAt: number;
  endedAt: number;
}

export type Phase = "idle" | "connecting" | "conversing" | "ending" | "done";

/** What the session is waiting for while conversing. */
export type Awaiting = "agent_reply" | "settle" | "caller" | "wait" | "agent_end";

export interface SessionState {
  readonly config: SessionConfig;
  phase: Phase;
  awaiting: Awaiting | null;
  startedAt: number;
  /** When the caller's last message was sent; agent turns' latency is measured from it. */
  lastCallerSentAt: number | null;
  agentReplies: number;
  transcript: TranscriptEntry[];
  metadata: Record<string, unknown>;
  expectationFailure: string | null;
  /** Timers currently set, so finishing can clear exactly those. */
  timers: TimerName[];
}

export interface StepOutput {
  state: SessionState;
  effects: SessionEffect[];
}
