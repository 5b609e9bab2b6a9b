/**
 * The text session as a pure state machine: `step(state, event) → {state, effects}`.
 * No I/O, no clock: the shell (Node actor, Durable Object, tests) feeds events stamped with
 * its clock and carries out the effects. Every ending produces one `finish` effect carrying
 * the partial transcript, merged metadata and the reason (spec/text-protocol.md § Lifecycle).
 */
import type { CallerMove } from "@spar/caller";
import {
  type AgentEvent,
  decodeAgentFrame,
  describeClose,
  type EndedBy,
  type EndedReason,
  encodeCallerFrame,
  type FinalRunStatus,
  isNormalCloseCode,
} from "@spar/protocol";
import type {
  Awaiting,
  CloseCode,
  SessionConfig,
  SessionEffect,
  SessionEvent,
  SessionState,
  StepOutput,
  TimerName,
} from "./session-types.ts";

export function initialState(config: SessionConfig): SessionState {
  return {
    config,
    phase: "idle",
    awaiting: null,
    startedAt: 0,
    lastCallerSentAt: null,
    agentReplies: 0,
    transcript: [],
    metadata: {},
    expectationFailure: null,
    timers: [],
  };
}

/** Collects effects and state changes for one step; keeps timer bookkeeping in one place. */
class Step {
  readonly effects: SessionEffect[] = [];
  readonly s: SessionState;
  constructor(prev: SessionState) {
    this.s = { ...prev, timers: [...prev.timers] };
  }
  setTimer(timer: TimerName, dueAt: number): void {
    if (!this.s.timers.includes(timer)) this.s.timers.push(timer);
    this.effects.push({ type: "set_timer", timer, dueAt });
  }
  clearTimer(timer: TimerName): void {
    if (!this.s.timers.includes(timer)) return;
    this.s.timers = this.s.timers.filter((t) => t !== timer);
    this.effects.push({ type: "clear_timer", timer });
  }
  await(awaiting: Awaiting | null): void {
    this.s.awaiting = awaiting;
  }
  askCaller(): void {
    this.await("caller");
    const transcript = this.s.transcript;
    let lastUser = -1;
    for (let i = transcript.length - 1; i >= 0; i--) {
      if (transcript[i]?.role === "user") {
        lastUser = i;
        break;
      }
    }
    const replies = transcript.slice(lastUser + 1).flatMap((e) => (e.role === "agent" ? [e.content] : []));
    this.effects.push({ type: "ask_caller", transcript, repliesSinceLastCaller: replies });
  }
  append(entry: SessionState["transcript"][number]): void {
    this.s.transcript = [...this.s.transcript, entry];
  }
  mergeMetadata(metadata: Record<string, unknown> | undefined): void {
    if (metadata) this.s.metadata = { ...this.s.metadata, ...metadata };
  }
  close(code: CloseCode, reason: string): void {
    this.effects.push({ type: "close", code, reason });
  }
  /** Ends the session; every timer still set is cleared first. */
  finish(
    at: number,
    status: FinalRunStatus,
    endedReason: EndedReason,
    endedBy: EndedBy,
    error: string | null,
  ) {
    for (const t of [...this.s.timers]) this.clearTimer(t);
    this.s.phase = "done";
    this.s.awaiting = null;
    this.effects.push({
      type: "finish",
      result: {
        status,
        endedReason,
        endedBy,
        error: error ?? this.s.expectationFailure,
        expectationFailure: this.s.expectationFailure,
        transcript: this.s.transcript,
        metadata: this.s.metadata,
        startedAt: this.s.startedAt,
        endedAt: at,
      },
    });
  }
  fail(at: number, reason: EndedReason, error: string, close?: CloseCode): void {
    if (close !== undefined) this.close(close, reason);
    this.finish(at, "failed", reason, "platform", error);
  }
  done(): StepOutput {
    return { state: this.s, effects: this.effects };
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

export function step(state: SessionState, event: SessionEvent): StepOutput {
  // A finished session ignores late events, so nothing can overwrite a final status.
  if (state.phase === "done") return { state, effects: [] };
  const st = new Step(state);
  const { config } = state;
  const at = event.at;

  switch (event.type) {
    case "start": {
      if (state.phase !== "idle") break;
      st.s.phase = "connecting";
      st.s.startedAt = at;
      st.effects.push({ type: "connect" });
      st.setTimer("connect", at + config.connectTimeoutMs);
      st.setTimer("max_duration", at + config.maxDurationMs);
      break;
    }
    case "connected": {
      if (state.phase !== "connecting") break;
      st.clearTimer("connect");
      st.s.phase = "conversing";
      if (config.firstSpeaker === "caller") {
        st.askCaller();
      } else {
        st.await("agent_reply");
        st.setTimer("turn", at + config.perTurnTimeoutMs);
      }
      break;
    }
    case "connect_failed": {
      if (state.phase === "connecting") st.fail(at, "connection_failed", event.detail);
      break;
    }
    case "frame":
      onFrame(st, at, decodeAgentFrame(event.data));
      break;
    case "frame_rejected":
      st.fail(at, "protocol_error", event.detail, 1002);
      break;
    case "closed":
      onClosed(st, event);
      break;
    case "timer":
      onTimer(st, at, event.timer);
      break;
    case "caller_move":
      if (state.phase === "conversing" && state.awaiting === "caller") onCallerMove(st, at, event.move);
      break;
    case "caller_failed":
      st.fail(at, "internal_error", `the caller failed: ${event.detail}`, 1011);
      break;
    case "abort":
      st.fail(at, "internal_error", event.detail, 1011);
      break;
    case "interrupt":
      st.close(1001, "the run was interrupted");
      st.finish(at, "interrupted", "interrupted", "platform", event.detail);
      break;
  }
  return st.done();
}

function onFrame(st: Step, at: number, decoded: ReturnType<typeof decodeAgentFrame>): void {
  const s = st.s;
  if (s.phase !== "conversing" && s.phase !== "ending") return;
  if (!decoded.ok) {
    st.fail(at, "protocol_error", decoded.error, 1002);
    return;
  }
  const event: AgentEvent = decoded.event;
  switch (event.kind) {
    case "metadata":
      st.mergeMetadata(event.metadata);
      return;
    case "function_call": {
      const data: { id?: string; name: string; arguments: unknown } = {
        name: event.name,
        arguments: event.arguments,
      };
      if (event.id !== undefined) data.id = event.id;
      st.append({ role: "function_call", content: "", at_ms: at - s.startedAt, data });
      return;
    }
    case "function_call_result": {
      const data: { id?: string; name?: string; result: unknown } = { result: event.result };
      if (event.id !== undefined) data.id = event.id;
      if (event.name !== undefined) data.name = event.name;
      st.append({ role: "function_call_result", content: "", at_ms: at - s.startedAt, data });
      return;
    }
    case "reply":
      recordReply(st, at, event.content);
      st.mergeMetadata(event.metadata);
      if (event.endCall) endedByAgent(st, at);
      else afterReply(st, at);
      return;
    case "end_call":
      if (event.content !== undefined) recordReply(st, at, event.content);
      st.mergeMetadata(event.metadata);
      endedByAgent(st, at);
      return;
  }
}

function recordReply(st: Step, at: number, content: string): void {
  const s = st.s;
  const entry: SessionState["transcript"][number] = { role: "agent", content, at_ms: at - s.startedAt };
  if (s.lastCallerSentAt !== null) entry.latency_ms = at - s.lastCallerSentAt;
  st.append(entry);
  s.agentReplies += 1;
}

/** A reply that does not end the call: settle, then hand the turn to the caller. */
function afterReply(st: Step, at: number): void {
  const s = st.s;
  if (s.phase !== "conversing") return;
  if (s.awaiting === "agent_reply" || s.awaiting === "settle") {
    st.clearTimer("turn");
    if (s.config.settleMs === 0) {
      // No settle window: the caller answers the first reply at once.
      st.clearTimer("settle");
      st.askCaller();
      return;
    }
    st.await("settle");
    st.setTimer("settle", at + s.config.settleMs);
  }
  // While the caller is thinking, pausing or waiting for the end, a reply is recorded only.
}

function endedByAgent(st: Step, at: number): void {
  if (st.s.phase === "ending") {
    // The caller already said goodbye; the agent's end is its answer to that.
    st.close(1000, "caller ended the call");
    st.finish(at, "completed", "caller_ended", "caller", null);
    return;
  }
  st.close(1000, "agent ended the call");
  st.finish(at, "completed", "agent_ended", "agent", null);
}

function onClosed(st: Step, event: Extract<SessionEvent, { type: "closed" }>): void {
  const s = st.s;
  const at = event.at;
  const close = describeClose(event.code, event.reason);
  if (s.phase === "connecting") {
    st.fail(at, "connection_failed", `the connection closed before it opened (${close})`);
  } else if (
    event.clean &&
    !isNormalCloseCode(event.code) &&
    !(event.code === 1008 && s.agentReplies === 0)
  ) {
    // 1011 and friends report a fault: a crashed agent must never read as one that hung up.
    st.fail(at, "connection_lost", `the agent closed the connection with an error code (${close})`);
  } else if (s.phase === "ending") {
    // The caller said goodbye: however the agent then lets go of the socket, the call is over.
    st.finish(at, "completed", "caller_ended", "caller", null);
  } else if (event.code === 1008) {
    st.fail(at, "connection_failed", `agent rejected the connection (${close})`);
  } else if (!event.clean) {
    st.fail(at, "connection_lost", `the connection dropped mid-conversation (${close})`);
  } else {
    st.finish(at, "completed", "agent_ended", "agent", null);
  }
}

function onTimer(st: Step, at: number, timer: TimerName): void {
  const s = st.s;
  if (!s.timers.includes(timer)) return; // cleared already: a late alarm
  s.timers = s.timers.filter((t) => t !== timer);
  const cfg = s.config;
  switch (timer) {
    case "connect":
      st.fail(at, "connection_failed", `could not connect within ${seconds(cfg.connectTimeoutMs)}`, 1000);
      return;
    case "max_duration":
      st.fail(
        at,
        "max_duration",
        `the conversation exceeded max_duration_s (${seconds(cfg.maxDurationMs)})`,
        1000,
      );
      return;
    case "turn":
      st.fail(
        at,
        "agent_timeout",
        s.awaiting === "agent_end"
          ? `the agent did not end the call within ${seconds(cfg.perTurnTimeoutMs)}`
          : `the agent did not reply within ${seconds(cfg.perTurnTimeoutMs)}`,
        1000,
      );
      return;
    case "settle":
      if (s.awaiting === "settle") st.askCaller();
      return;
    case "wait":
      if (s.awaiting === "wait") st.askCaller();
      return;
    case "close_grace":
      st.close(1000, "caller ended the call");
      st.finish(at, "completed", "caller_ended", "caller", null);
      return;
  }
}

function onCallerMove(st: Step, at: number, move: CallerMove): void {
  const s = st.s;
  const cfg = s.config;
  switch (move.kind) {
    case "say":
      st.effects.push({ type: "send", data: encodeCallerFrame({ type: "message", content: move.text }) });
      st.append({ role: "user", content: move.text, at_ms: at - s.startedAt });
      s.lastCallerSentAt = at;
      st.await("agent_reply");
      st.setTimer("turn", at + cfg.perTurnTimeoutMs);
      return;
    case "wait":
      st.await("wait");
      st.setTimer("wait", at + move.ms);
      return;
    case "wait_for_end":
      st.await("agent_end");
      st.setTimer("turn", at + cfg.perTurnTimeoutMs);
      return;
    case "end":
      if (move.failure !== undefined) s.expectationFailure = move.failure;
      st.effects.push({ type: "send", data: encodeCallerFrame({ type: "end_call" }) });
      s.phase = "ending";
      st.await(null);
      st.setTimer("close_grace", at + cfg.closeGraceMs);
      return;
  }
}
