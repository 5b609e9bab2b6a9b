/**
 * The LiveKit chat call as a pure state machine: `stepChat(state, event) → {state, effects}`.
 * No I/O, no clock: the rtc-node shell (chat-call.ts) feeds events stamped with its clock and
 * carries out the effects, so every timing rule is tested with exact numbers. It follows the text
 * session's rules (gateway/src/text-session) where chat has the same notion — settle window,
 * per-turn timeout, latency from the caller's message — and the voice call's for the room
 * (connect, agent join, greeting wait, the agent leaving).
 */
import type { CallerMove } from "@spar/caller";
import type { EndedBy, EndedReason, FinalRunStatus, TranscriptEntry } from "@spar/protocol";
import { CoreStep, seconds } from "../call/core-step.ts";
import type {
  ChatAwaiting,
  ChatConfig,
  ChatEffect,
  ChatEvent,
  ChatSource,
  ChatState,
  ChatTimer,
} from "./chat-types.ts";

export function initialChatState(config: ChatConfig): ChatState {
  return {
    config,
    phase: "idle",
    awaiting: null,
    startedAt: 0,
    roomName: null,
    agentIdentity: null,
    lastCallerSentAt: null,
    callerMessages: 0,
    turns: 0,
    transcript: [],
    seen: [],
    timers: [],
  };
}

/** Whitespace-insensitive form used to pair the same words sent on both topics. */
export const normalizeChatText = (text: string) => text.trim().replace(/\s+/g, " ");

class Step extends CoreStep<ChatState, ChatTimer, ChatEffect> {
  await(awaiting: ChatAwaiting | null): void {
    this.s.awaiting = awaiting;
  }
  askCaller(): void {
    this.await("caller");
    const transcript = this.s.transcript;
    const lastUser = transcript.findLastIndex((e) => e.role === "user");
    const replies = transcript.slice(lastUser + 1).flatMap((e) => (e.role === "agent" ? [e.content] : []));
    this.effects.push({ type: "ask_caller", view: { transcript, repliesSinceLastCaller: replies } });
  }
  append(entry: TranscriptEntry): void {
    this.s.transcript = [...this.s.transcript, entry];
    this.s.turns += 1;
    const atMs = entry.at_ms;
    this.effects.push({
      type: "emit",
      event: {
        type: "turn",
        turn_index: this.s.turns,
        role: entry.role === "user" ? "user" : "agent",
        content: entry.content,
        start_ms: atMs,
        end_ms: atMs,
        ...(entry.latency_ms === undefined ? {} : { latency_ms: entry.latency_ms }),
      },
    });
  }
  /** Ends the call: every timer cleared, the room left, one `finish`. */
  finish(status: FinalRunStatus, reason: EndedReason, endedBy: EndedBy, detail?: string): void {
    const s = this.s;
    if (s.phase === "connecting") this.stage("connect", false, reason);
    else if (s.phase === "joining") this.stage("agent_join", false, reason);
    else if (s.phase === "conversing") this.stage("conversation", status === "completed", reason);
    for (const t of [...s.timers]) this.clearTimer(t);
    s.phase = "done";
    s.awaiting = null;
    this.effects.push({ type: "leave" });
    this.effects.push({
      type: "finish",
      result: {
        end: { status, reason, endedBy, ...(detail === undefined ? {} : { detail }) },
        transcript: s.transcript,
        roomName: s.roomName,
        agentIdentity: s.agentIdentity,
        startedAt: s.startedAt,
        endedAt: this.at,
      },
    });
  }
  fail(reason: EndedReason, detail: string): void {
    this.finish("failed", reason, "platform", detail);
  }
}

export function stepChat(state: ChatState, event: ChatEvent): { state: ChatState; effects: ChatEffect[] } {
  // A finished call ignores late events, so nothing can overwrite a final status.
  if (state.phase === "done") return { state, effects: [] };
  const st = new Step(state, event.at);
  const s = st.s;
  const { limits } = state.config;
  switch (event.type) {
    case "start":
      if (s.phase !== "idle") break;
      s.phase = "connecting";
      s.startedAt = event.at;
      st.stage("connect");
      st.effects.push({ type: "connect" });
      st.setTimer("connect", event.at + limits.connectMs);
      st.setTimer("max_duration", event.at + limits.maxDurationMs);
      break;
    case "connected": {
      if (s.phase !== "connecting") break;
      st.clearTimer("connect");
      st.stage("connect", true);
      s.phase = "joining";
      s.roomName = event.roomName;
      st.stage("agent_join");
      const agent = event.participants.find((p) => isAgent(s, p));
      if (agent === undefined) st.setTimer("agent_join", event.at + limits.agentJoinMs);
      else agentJoined(st, agent);
      break;
    }
    case "connect_failed":
      if (s.phase === "connecting") st.fail("connection_failed", event.detail);
      break;
    case "participant_joined":
      if (s.phase === "joining" && isAgent(s, event.identity)) agentJoined(st, event.identity);
      break;
    case "participant_left":
      if (s.phase === "conversing" && event.identity === s.agentIdentity) {
        st.finish("completed", "agent_ended", "agent", `the agent (${event.identity}) left the room`);
      }
      break;
    case "disconnected":
      onDisconnected(st, event.reason, event.normal);
      break;
    case "text":
      if (s.phase === "conversing" && event.identity === s.agentIdentity) {
        onAgentText(st, event.source, event.text);
      }
      break;
    case "send_failed":
      st.fail("connection_lost", event.detail);
      break;
    case "timer":
      onTimer(st, event.timer);
      break;
    case "caller_move":
      if (s.phase === "conversing" && s.awaiting === "caller") onCallerMove(st, event.move);
      break;
    case "caller_failed":
      st.fail("internal_error", `the caller failed: ${event.detail}`);
      break;
    case "interrupt":
      st.finish("interrupted", "interrupted", "platform", event.detail);
      break;
  }
  return { state: s, effects: st.effects };
}

function isAgent(s: ChatState, identity: string): boolean {
  return s.config.agentIdentity === undefined || s.config.agentIdentity === identity;
}

function agentJoined(st: Step, identity: string): void {
  const s = st.s;
  st.clearTimer("agent_join");
  s.agentIdentity = identity;
  s.phase = "conversing";
  st.effects.push({ type: "emit", event: { type: "participant_joined", identity } });
  st.stage("agent_join", true);
  st.stage("conversation");
  // Data packets are not stored by the server: sent before the agent is there, it would be lost.
  if (s.config.publishesDataMessage) st.effects.push({ type: "publish_data_message" });
  if (s.config.limits.greetingWaitMs === 0) {
    st.askCaller();
  } else {
    st.await("greeting");
    st.setTimer("greeting", st.at + s.config.limits.greetingWaitMs);
  }
}

function onDisconnected(st: Step, reason: string, normal: boolean): void {
  const s = st.s;
  if (s.phase === "connecting") {
    st.fail("connection_failed", `the server closed the connection while the caller joined (${reason})`);
  } else if (normal && s.phase === "conversing") {
    // The room closed or the caller was removed: the agent's side ended the call.
    st.finish("completed", "agent_ended", "agent", `the room closed (${reason})`);
  } else if (normal) {
    st.fail("agent_never_joined", `the room closed before the agent joined (${reason})`);
  } else {
    st.fail("connection_lost", `the caller lost the room (${reason})`);
  }
}

/** Pairs `text` with the same words from the other topic in this turn or the previous one. */
function isEcho(s: ChatState, source: ChatSource, normalized: string): boolean {
  const twin = s.seen.find(
    (t) => !t.paired && t.source !== source && t.normalized === normalized && s.callerMessages - t.turn <= 1,
  );
  if (twin) {
    s.seen = s.seen.map((t) => (t === twin ? { ...t, paired: true } : t));
    return true;
  }
  // Older entries can no longer pair: drop them so a long call keeps a short list.
  s.seen = [
    ...s.seen.filter((t) => s.callerMessages - t.turn <= 1),
    { source, normalized, turn: s.callerMessages, paired: false },
  ];
  return false;
}

function onAgentText(st: Step, source: ChatSource, text: string): void {
  const s = st.s;
  const normalized = normalizeChatText(text);
  if (normalized === "" || isEcho(s, source, normalized)) return;
  const entry: TranscriptEntry = { role: "agent", content: text.trim(), at_ms: st.at - s.startedAt };
  if (s.lastCallerSentAt !== null) entry.latency_ms = st.at - s.lastCallerSentAt;
  st.append(entry);
  if (s.awaiting === "greeting" || s.awaiting === "agent_reply" || s.awaiting === "settle") {
    st.clearTimer("greeting");
    st.clearTimer("turn");
    if (s.config.limits.settleMs === 0) {
      st.askCaller();
      return;
    }
    st.await("settle");
    st.setTimer("settle", st.at + s.config.limits.settleMs);
  }
  // While the caller is thinking, pausing or waiting for the end, a reply is recorded only.
}

function onTimer(st: Step, timer: ChatTimer): void {
  const s = st.s;
  if (!s.timers.includes(timer)) return; // cleared already: a late alarm
  s.timers = s.timers.filter((t) => t !== timer);
  const { limits } = s.config;
  switch (timer) {
    case "connect":
      st.fail("connection_failed", `the caller could not join the room within ${seconds(limits.connectMs)}`);
      return;
    case "agent_join":
      st.fail(
        "agent_never_joined",
        s.config.agentIdentity === undefined
          ? `no agent joined the room within ${seconds(limits.agentJoinMs)}`
          : `the agent "${s.config.agentIdentity}" did not join the room within ${seconds(limits.agentJoinMs)}`,
      );
      return;
    case "max_duration":
      st.fail("max_duration", `the conversation exceeded max_duration_s (${seconds(limits.maxDurationMs)})`);
      return;
    case "turn":
      st.fail(
        "agent_timeout",
        s.awaiting === "agent_end"
          ? `the agent did not end the call within ${seconds(limits.turnTimeoutMs)}`
          : `the agent did not reply within ${seconds(limits.turnTimeoutMs)}`,
      );
      return;
    case "greeting":
    case "settle":
    case "wait":
      if (s.awaiting === timer) st.askCaller();
      return;
  }
}

function onCallerMove(st: Step, move: CallerMove): void {
  const s = st.s;
  const { limits } = s.config;
  switch (move.kind) {
    case "say":
      st.effects.push({ type: "send_chat", text: move.text });
      s.callerMessages += 1;
      st.append({ role: "user", content: move.text, at_ms: st.at - s.startedAt });
      s.lastCallerSentAt = st.at;
      st.await("agent_reply");
      st.setTimer("turn", st.at + limits.turnTimeoutMs);
      return;
    case "wait":
      st.await("wait");
      st.setTimer("wait", st.at + move.ms);
      return;
    case "wait_for_end":
      st.await("agent_end");
      st.setTimer("turn", st.at + limits.turnTimeoutMs);
      return;
    case "end":
      // A failed expectation ends the call from the caller's side; the verdict reads the detail.
      st.finish("completed", "caller_ended", "caller", move.failure);
      return;
  }
}
