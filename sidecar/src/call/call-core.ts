/**
 * The voice call as a pure state machine: `stepCall(state, event) → {state, effects}`. No I/O,
 * no clock, no promises: the rtc-node shell (call-session.ts) feeds events stamped with its clock
 * and carries out the effects, so endpointing, barge-in timing, every timeout and every end
 * reason are tested with exact numbers. The first end wins; a finished call only keeps hearing
 * the agent's speech (its last words still go in the transcript).
 */
import type { CallerMove } from "@spar/caller";
import { applyAgentSpeech, EMPTY_TIMELINE, speechAfter } from "./agent-speech.ts";
import { awaitAgentTurn, checkEndpoint, closeAgentTurn, wordsDecided, wordsSettled } from "./agent-turn.ts";
import type {
  AfterTurn,
  BargeIn,
  CallCoreConfig,
  CallEffect,
  CallEvent,
  CallState,
  CallTimer,
  PlayedLine,
} from "./call-core-types.ts";
import { failed } from "./call-end.ts";
import { BARGE_IN_LEAD_MS, Step } from "./call-step.ts";
import { addAgentTurn, addCallerTurn, emptyTranscript } from "./call-transcript.ts";
import { seconds } from "./core-step.ts";

export function initialCallState(config: CallCoreConfig): CallState {
  return {
    config,
    phase: "idle",
    startedAt: 0,
    agentIdentity: undefined,
    timeline: EMPTY_TIMELINE,
    transcript: emptyTranscript(0),
    wait: null,
    movesTaken: 0,
    lastLineId: 0,
    timers: [],
    end: undefined,
  };
}

export function stepCall(state: CallState, event: CallEvent): { state: CallState; effects: CallEffect[] } {
  if (state.phase === "done") {
    // Speech the listener flushes at the end is the agent's last turn; nothing else counts.
    if (event.type !== "agent_speech_started" && event.type !== "agent_speech_ended")
      return { state, effects: [] };
    return { state: { ...state, timeline: applyAgentSpeech(state.timeline, event) }, effects: [] };
  }
  const st = new Step(state, event.at);
  const s = st.s;
  const { limits } = s.config;
  switch (event.type) {
    case "start":
      if (s.phase !== "idle") break;
      s.phase = "connecting";
      s.startedAt = event.at;
      s.transcript = emptyTranscript(event.at);
      st.stage("connect");
      st.effects.push({ type: "connect" });
      st.setTimer("connect", event.at + limits.connectMs);
      st.setTimer("max_duration", event.at + limits.maxDurationMs);
      break;
    case "connected":
      if (s.phase !== "connecting") break;
      st.clearTimer("connect");
      st.stage("connect", true);
      s.phase = "joining";
      st.stage("agent_join");
      if (s.agentIdentity === undefined) st.setTimer("agent_join", event.at + limits.agentJoinMs);
      else startConversation(st);
      break;
    case "connect_failed":
      st.fail("connection_failed", `could not connect to the room: ${event.detail}`);
      break;
    case "participant_joined":
      if (s.agentIdentity !== undefined || (s.config.agentIdentity ?? event.identity) !== event.identity)
        break;
      s.agentIdentity = event.identity;
      st.effects.push({ type: "admit_agent", identity: event.identity });
      st.effects.push({ type: "emit", event: { type: "participant_joined", identity: event.identity } });
      if (s.phase === "joining") startConversation(st);
      break;
    case "participant_left":
      if (event.identity === s.agentIdentity)
        st.finish({
          status: "completed",
          reason: "agent_ended",
          endedBy: "agent",
          detail: "the agent left the room",
        });
      break;
    case "disconnected":
      st.finish(
        event.normal
          ? {
              status: "completed",
              reason: "agent_ended",
              endedBy: "agent",
              detail: `the room closed (${event.reason})`,
            }
          : failed("connection_lost", `the caller was disconnected from the room (${event.reason})`),
      );
      break;
    case "agent_speech_started":
    case "agent_speech_ended":
      s.timeline = applyAgentSpeech(s.timeline, event);
      onAgentSpeech(st);
      break;
    case "words_ready":
      if (s.wait?.kind === "words" && (s.wait.stage === "grace" || s.wait.stage === "stt")) wordsSettled(st);
      break;
    case "words_decided":
      wordsDecided(st, event.sttRunning);
      break;
    case "words_taken":
      if (s.wait?.kind === "words" && s.wait.stage === "taking") {
        const w = s.wait;
        const added = addAgentTurn(s.transcript, event.text, w.span, w.closedAtMs, w.cutMs);
        s.transcript = added.transcript;
        st.turn(added.turn);
        afterTurn(st, w.then);
      }
      break;
    case "line_prepared":
      if (s.wait?.kind === "preparing" && s.wait.lineId === event.lineId) linePrepared(st, s.wait.bargeIn);
      break;
    case "prepare_failed":
      st.fail("internal_error", `the call failed: ${event.detail}`);
      break;
    case "line_spoken":
      if (s.wait?.kind === "speaking" && s.wait.lineId === event.lineId) {
        const added = addCallerTurn(s.transcript, event);
        s.transcript = added.transcript;
        st.turn(added.turn);
        awaitReply(st, event.endMs, true, undefined);
      } else if (s.wait?.kind === "barging" && s.wait.lineId === event.lineId) {
        const line: PlayedLine = { text: event.text, startMs: event.startMs, endMs: event.endMs };
        closeAgentTurn(st, { cutMs: event.startMs, onsetAfterMs: undefined }, { kind: "caller_turn", line });
      }
      break;
    case "speak_failed":
      st.fail("connection_lost", `the caller's audio stopped: ${event.detail}`);
      break;
    case "brain_move":
      if (s.wait?.kind === "brain") brainMoved(st, event.move, s.wait.bargeIn);
      break;
    case "brain_failed":
      st.fail("internal_error", `the caller brain failed: ${event.detail}`);
      break;
    case "timer":
      onTimer(st, event.timer);
      break;
    case "interrupt":
      st.finish({ status: "interrupted", reason: "interrupted", endedBy: "platform", detail: event.detail });
      break;
    case "failure":
      st.fail("internal_error", `the call failed: ${event.detail}`);
      break;
  }
  return { state: s, effects: st.effects };
}

function startConversation(st: Step): void {
  const s = st.s;
  st.clearTimer("agent_join");
  s.phase = "conversing";
  st.stage("agent_join", true);
  st.stage("conversation");
  // A greeting agent speaks first; a silent one leaves the first word to the caller.
  st.await({ kind: "greeting" });
  if (speechAfter(s.timeline, s.startedAt) !== undefined) onAgentSpeech(st);
  else if (s.config.limits.greetingWaitMs <= 0) askBrain(st, undefined);
  else st.setTimer("greeting", st.at + s.config.limits.greetingWaitMs);
}

/** Re-checks whatever waits on the agent's speech. */
function onAgentSpeech(st: Step): void {
  const s = st.s;
  const w = s.wait;
  if (w?.kind === "greeting" && speechAfter(s.timeline, s.startedAt) !== undefined) {
    st.clearTimer("greeting");
    awaitAgentTurn(st, s.startedAt, undefined, undefined, { kind: "ask_brain" });
  } else if (w?.kind === "reply") {
    const onsetMs = speechAfter(s.timeline, w.sinceMs);
    if (onsetMs === undefined) return;
    st.clearTimer("turn");
    if (w.allowBargeIn && st.nextInterruptMs() !== undefined) askBrain(st, { sinceMs: w.sinceMs, onsetMs });
    else awaitAgentTurn(st, w.sinceMs, w.onsetAfterMs, undefined, { kind: "ask_brain" });
  } else if (w?.kind === "agent_turn") {
    checkEndpoint(st);
  }
}

function afterTurn(st: Step, then: AfterTurn): void {
  if (then.kind === "ask_brain") askBrain(st, undefined);
  else if (then.kind === "move") takeMove(st, then.move);
  else {
    const added = addCallerTurn(st.s.transcript, then.line);
    st.s.transcript = added.transcript;
    st.turn(added.turn);
    // After the barge-in the agent answers it like any caller turn; only speech that began
    // after the barge-in answers it (the interrupted tail is in the previous turn).
    awaitReply(st, then.line.endMs, false, then.line.startMs);
  }
}

function awaitReply(
  st: Step,
  sinceMs: number,
  allowBargeIn: boolean,
  onsetAfterMs: number | undefined,
): void {
  st.await({ kind: "reply", sinceMs, allowBargeIn, onsetAfterMs });
  st.setTimer("turn", st.at + st.s.config.limits.turnTimeoutMs);
  onAgentSpeech(st);
}

function askBrain(st: Step, bargeIn: BargeIn | undefined): void {
  const s = st.s;
  st.await({ kind: "brain", bargeIn });
  st.setTimer("step", st.at + s.config.limits.stepMs);
  const transcript = [...s.transcript.conversation];
  const lastUser = transcript.findLastIndex((e) => e.role === "user");
  const replies = transcript.slice(lastUser + 1).flatMap((e) => (e.role === "agent" ? [e.content] : []));
  st.effects.push({ type: "ask_brain", view: { transcript, repliesSinceLastCaller: replies } });
}

function brainMoved(st: Step, move: CallerMove, bargeIn: BargeIn | undefined): void {
  const s = st.s;
  st.clearTimer("step");
  s.movesTaken += 1;
  // Before a barge-in the microphone runs just ahead of the track, so the barge-in can start on
  // its sample soon after the agent's onset is heard (raised again once it is queued).
  if (st.nextInterruptMs() !== undefined)
    st.effects.push({ type: "set_microphone_lead", leadMs: BARGE_IN_LEAD_MS });
  if (!bargeIn) {
    takeMove(st, move);
    return;
  }
  if (move.kind === "say" && move.interruptAfterMs !== undefined) {
    prepareLine(st, move.text, { ...bargeIn, interruptAfterMs: move.interruptAfterMs });
    return;
  }
  // Not a barge-in after all: the agent finishes its turn, then the move is played.
  awaitAgentTurn(st, bargeIn.sinceMs, undefined, undefined, { kind: "move", move });
}

function takeMove(st: Step, move: CallerMove): void {
  const { limits } = st.s.config;
  switch (move.kind) {
    case "end":
      st.finish({
        status: "completed",
        reason: "caller_ended",
        endedBy: "caller",
        ...(move.failure === undefined ? {} : { detail: move.failure }),
      });
      return;
    case "wait_for_end":
      st.await({ kind: "wait_for_end" });
      st.setTimer("turn", st.at + limits.turnTimeoutMs);
      return;
    case "wait":
      st.await({ kind: "wait", fromMs: st.at });
      st.setTimer("wait", st.at + move.ms);
      return;
    case "say":
      prepareLine(st, move.text, undefined);
      return;
  }
}

function prepareLine(
  st: Step,
  text: string,
  bargeIn: (BargeIn & { interruptAfterMs: number }) | undefined,
): void {
  const s = st.s;
  s.lastLineId += 1;
  st.await({ kind: "preparing", lineId: s.lastLineId, bargeIn });
  st.setTimer("step", st.at + s.config.limits.stepMs);
  st.effects.push({ type: "prepare_line", lineId: s.lastLineId, text });
}

function linePrepared(st: Step, bargeIn: (BargeIn & { interruptAfterMs: number }) | undefined): void {
  const lineId = st.s.lastLineId;
  st.clearTimer("step");
  if (!bargeIn) {
    st.await({ kind: "speaking", lineId });
    st.effects.push({ type: "speak_line", lineId });
    return;
  }
  st.await({ kind: "barging", lineId, sinceMs: bargeIn.sinceMs });
  st.effects.push({ type: "speak_line", lineId, notBeforeMs: bargeIn.onsetMs + bargeIn.interruptAfterMs });
  // Queued (with its start time) by now: the microphone may run a whole queue ahead again.
  if (st.nextInterruptMs() === undefined) st.effects.push({ type: "set_microphone_lead", leadMs: undefined });
}

function onTimer(st: Step, timer: CallTimer): void {
  const s = st.s;
  if (!s.timers.includes(timer)) return; // cleared already: a late timer
  s.timers = s.timers.filter((t) => t !== timer);
  const { limits } = s.config;
  const w = s.wait;
  switch (timer) {
    case "connect":
      st.fail("connection_failed", `could not connect to the room within ${seconds(limits.connectMs)}`);
      return;
    case "agent_join": {
      const detail = `no agent joined the room within ${seconds(limits.agentJoinMs)}`;
      st.stage("agent_join", false, "agent_never_joined");
      st.fail("agent_never_joined", detail);
      return;
    }
    case "max_duration":
      st.fail("max_duration", `the call exceeded max_duration_s (${limits.maxDurationMs / 1000})`);
      return;
    case "turn":
      st.fail(
        "agent_timeout",
        w?.kind === "wait_for_end"
          ? `the agent did not end the call within ${seconds(limits.turnTimeoutMs)}`
          : `the agent did not start speaking within ${seconds(limits.turnTimeoutMs)} of the caller's turn`,
      );
      return;
    case "step":
      st.fail(
        "internal_error",
        w?.kind === "preparing"
          ? `speech synthesis took over ${seconds(limits.stepMs)}`
          : `the caller brain did not decide within ${seconds(limits.stepMs)}`,
      );
      return;
    case "greeting":
      if (w?.kind === "greeting") askBrain(st, undefined);
      return;
    case "wait":
      if (w?.kind !== "wait") return;
      // The agent may have spoken while the caller stayed silent: let it finish first.
      if (speechAfter(s.timeline, w.fromMs) !== undefined)
        awaitAgentTurn(st, w.fromMs, undefined, undefined, { kind: "ask_brain" });
      else askBrain(st, undefined);
      return;
    case "endpoint":
      checkEndpoint(st);
      return;
    case "words":
      wordsSettled(st);
      return;
  }
}
