/**
 * Types of the voice call core (call-core.ts): the events the rtc-node shell feeds in, the
 * effects it carries out, and the state between them. Times are ms on the shell's clock.
 */
import type { CallerMove, ConversationView } from "@spar/caller";
import type { AgentSpeechEvent, AgentTimeline } from "./agent-speech.ts";
import type { CallEnd } from "./call-end.ts";
import type { CallLimits } from "./call-limits.ts";
import type { CallTranscript, TurnSpan } from "./call-transcript.ts";
import type { CoreStepEffect } from "./core-step.ts";

export interface CallCoreConfig {
  limits: CallLimits;
  /** Which participant is the agent; default the first other participant to join. */
  agentIdentity?: string;
  /**
   * Scripted callers: `interrupt_after_ms` of each move the brain returns, in order (see
   * InterruptPlan); a move with one barges in on the agent's reply to the line before it.
   */
  interruptAfterMsByMove: readonly (number | undefined)[];
}

export type CallTimer =
  | "connect"
  | "agent_join"
  | "max_duration"
  | "greeting"
  | "turn"
  | "endpoint"
  | "step"
  | "wait"
  | "words";

/** A caller line as it played: first and last audible sample. */
export interface PlayedLine {
  text: string;
  startMs: number;
  endMs: number;
}

export type CallEvent = (
  | { type: "start" }
  | { type: "connected" }
  | { type: "connect_failed"; detail: string }
  | { type: "participant_joined"; identity: string }
  | { type: "participant_left"; identity: string }
  /** The caller is out of the room. `normal`: the room closed or the caller was removed. */
  | { type: "disconnected"; reason: string; normal: boolean }
  | AgentSpeechEvent
  /** The words of the speech being watched (see `watch_words`) can be taken. */
  | { type: "words_ready" }
  /** Answer to `decide_words`: whether speech-to-text now runs (its words trail the audio). */
  | { type: "words_decided"; sttRunning: boolean }
  /** Answer to `take_words`. */
  | { type: "words_taken"; text: string }
  | { type: "line_prepared"; lineId: number }
  | { type: "prepare_failed"; detail: string }
  | ({ type: "line_spoken"; lineId: number } & PlayedLine)
  | { type: "speak_failed"; detail: string }
  | { type: "brain_move"; move: CallerMove }
  | { type: "brain_failed"; detail: string }
  | { type: "timer"; timer: CallTimer }
  /** Whoever started the run stopped it (Ctrl-C, shutdown): no verdict on the agent. */
  | { type: "interrupt"; detail: string }
  /** The shell failed unexpectedly. */
  | { type: "failure"; detail: string }
) & { at: number };

/** Besides these, the base's: set and clear a timer, emit a run event (core-step.ts). */
export type CallEffect =
  | CoreStepEffect<CallTimer>
  | { type: "connect" }
  | { type: "admit_agent"; identity: string }
  /** Dispatch `words_ready` once the words of agent speech ending at `speechEndMs` can be taken. */
  | { type: "watch_words"; speechEndMs: number }
  | { type: "unwatch_words" }
  /** The agent's first turn is over: choose published text or speech-to-text; answer `words_decided`. */
  | { type: "decide_words" }
  | { type: "take_words" }
  | { type: "ask_brain"; view: ConversationView }
  | { type: "prepare_line"; lineId: number; text: string }
  /** Play a prepared line; `notBeforeMs` puts its first audible sample there (a barge-in). */
  | { type: "speak_line"; lineId: number; notBeforeMs?: number }
  /** How far the microphone may run ahead of the track (undefined: as far as its queue takes). */
  | { type: "set_microphone_lead"; leadMs: number | undefined }
  | { type: "end"; end: CallEnd };

/** What comes once the agent's turn is written. */
export type AfterTurn =
  | { kind: "ask_brain" }
  | { kind: "move"; move: CallerMove }
  /** A barge-in played: the caller's line goes in after the interrupted agent turn. */
  | { kind: "caller_turn"; line: PlayedLine };

export interface BargeIn {
  /** The caller line's end the agent replied to. */
  sinceMs: number;
  /** First speech frame of that reply. */
  onsetMs: number;
}

/** What the conversation waits for. */
export type CallWait =
  | { kind: "greeting" }
  /** The agent's reply to a caller line (or a barge-in) to begin; `turn` timer. */
  | { kind: "reply"; sinceMs: number; allowBargeIn: boolean; onsetAfterMs: number | undefined }
  /** Endpointing: the agent's turn, spoken after `sinceMs`, to be over. */
  | {
      kind: "agent_turn";
      sinceMs: number;
      onsetAfterMs: number | undefined;
      cutMs: number | undefined;
      then: AfterTurn;
    }
  /** The turn's words: grace for text, the STT choice, STT's grace, the take. */
  | {
      kind: "words";
      stage: "grace" | "deciding" | "stt" | "taking";
      span: TurnSpan | undefined;
      closedAtMs: number;
      cutMs: number | undefined;
      then: AfterTurn;
    }
  | { kind: "brain"; bargeIn: BargeIn | undefined }
  | { kind: "preparing"; lineId: number; bargeIn: (BargeIn & { interruptAfterMs: number }) | undefined }
  | { kind: "speaking"; lineId: number }
  | { kind: "barging"; lineId: number; sinceMs: number }
  | { kind: "wait"; fromMs: number }
  | { kind: "wait_for_end" };

export type CallPhase = "idle" | "connecting" | "joining" | "conversing" | "done";

export interface CallState {
  readonly config: CallCoreConfig;
  phase: CallPhase;
  startedAt: number;
  agentIdentity: string | undefined;
  timeline: AgentTimeline;
  transcript: CallTranscript;
  wait: CallWait | null;
  movesTaken: number;
  lastLineId: number;
  timers: CallTimer[];
  end: CallEnd | undefined;
}
