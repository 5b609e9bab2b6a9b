/**
 * Types of the chat-call core (LiveKit chat mode): the events the rtc-node shell feeds in, the
 * effects it must carry out, and the result every ending produces. Times are ms on the shell's
 * clock; transcript times are ms since the call started.
 */
import type { CallerMove, ConversationView } from "@spar/caller";
import type { TranscriptEntry } from "@spar/protocol";
import type { CallEnd } from "../call/call-end.ts";
import type { CoreStepEffect } from "../call/core-step.ts";

export interface ChatLimits {
  /** The caller joins the room → else `connection_failed` (spec: 20 s). */
  connectMs: number;
  /** The agent joins → else `agent_never_joined` (spec: 30 s). */
  agentJoinMs: number;
  /** After the agent joined, how long the caller lets it greet before writing first. */
  greetingWaitMs: number;
  /** The agent's first reply after each caller message (and `wait_for_end`) → else `agent_timeout`. */
  turnTimeoutMs: number;
  /** Whole call → `max_duration`. */
  maxDurationMs: number;
  /** After an agent message, wait this long for more before the caller answers (a text run's `settle_ms`). */
  settleMs: number;
}

export const DEFAULT_CHAT_LIMITS: ChatLimits = {
  connectMs: 20_000,
  agentJoinMs: 30_000,
  greetingWaitMs: 2_000,
  turnTimeoutMs: 30_000,
  maxDurationMs: 600_000,
  settleMs: 300,
};

export interface ChatConfig {
  limits: ChatLimits;
  /** Which participant is the agent; default the first other participant in the room. */
  agentIdentity?: string;
  /** Whether a `publish_data_message` is to be sent once the agent is in the room. */
  publishesDataMessage: boolean;
}

/** Where an agent's words came from: an `lk.chat` text stream or a closed `lk.transcription` segment. */
export type ChatSource = "chat" | "transcription";

export type ChatTimer = "connect" | "agent_join" | "greeting" | "turn" | "settle" | "wait" | "max_duration";

export type ChatEvent =
  | { type: "start"; at: number }
  | { type: "connected"; at: number; roomName: string; participants: readonly string[] }
  | { type: "connect_failed"; at: number; detail: string }
  | { type: "participant_joined"; at: number; identity: string }
  | { type: "participant_left"; at: number; identity: string }
  /** One whole text: an `lk.chat` stream or a transcription segment, read to its end. */
  | { type: "text"; at: number; identity: string; source: ChatSource; text: string }
  /** The caller is out of the room. `normal`: the room closed or the caller was removed. */
  | { type: "disconnected"; at: number; reason: string; normal: boolean }
  /** Sending the caller's message or the data message failed. */
  | { type: "send_failed"; at: number; detail: string }
  | { type: "timer"; at: number; timer: ChatTimer }
  | { type: "caller_move"; at: number; move: CallerMove }
  | { type: "caller_failed"; at: number; detail: string }
  /** Whoever started the run stopped it (Ctrl-C, shutdown): no verdict on the agent. */
  | { type: "interrupt"; at: number; detail: string };

/**
 * Besides these, the base's (core-step.ts): set and clear a timer, and `emit` a run event for the
 * job's event stream (times already relative to the call's start).
 */
export type ChatEffect =
  | CoreStepEffect<ChatTimer>
  | { type: "connect" }
  | { type: "publish_data_message" }
  | { type: "send_chat"; text: string }
  | { type: "ask_caller"; view: ConversationView }
  | { type: "leave" }
  | { type: "finish"; result: ChatResult };

export interface ChatResult {
  end: CallEnd;
  transcript: TranscriptEntry[];
  roomName: string | null;
  agentIdentity: string | null;
  startedAt: number;
  endedAt: number;
}

export type ChatPhase = "idle" | "connecting" | "joining" | "conversing" | "done";

/** What the conversation waits for. */
export type ChatAwaiting = "greeting" | "agent_reply" | "settle" | "caller" | "wait" | "agent_end";

/** A text already counted, kept so the same words from the other source are not counted twice. */
export interface SeenText {
  source: ChatSource;
  normalized: string;
  /** Caller messages sent before it arrived: it pairs only within this turn or the next. */
  turn: number;
  paired: boolean;
}

export interface ChatState {
  readonly config: ChatConfig;
  phase: ChatPhase;
  awaiting: ChatAwaiting | null;
  startedAt: number;
  roomName: string | null;
  agentIdentity: string | null;
  lastCallerSentAt: number | null;
  callerMessages: number;
  /** Turns over both sides, for the run events' `turn_index`. */
  turns: number;
  transcript: TranscriptEntry[];
  seen: SeenText[];
  timers: ChatTimer[];
}
