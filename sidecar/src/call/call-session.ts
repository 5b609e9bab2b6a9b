/**
 * One voice call over a CallRoom: the shell around the call core (call-core.ts). It connects,
 * routes the agent's audio through the listener (VAD → speech events) and its words, and carries
 * out the core's effects — timers on the injected clock, the caller brain, speech synthesis and
 * the microphone — feeding each outcome back as an event. The core decides everything about
 * timing and how the call ends; this file only does the I/O, then assembles the report.
 */
import type { CallerBrain } from "@spar/caller";
import type { TranscriptEntry, VoiceMetrics, VoiceRunEventBody, VoiceTranscriptEntry } from "@spar/protocol";
import { analyzeTurns } from "../analysis/turn-analysis.ts";
import type { Clock } from "../media/clock.ts";
import type { AudioSpeechToTextStream } from "../media/stt/speech-to-text.ts";
import type { TextToSpeech } from "../media/tts/text-to-speech.ts";
import type { VoiceActivity } from "../media/vad/voice-activity.ts";
import { CallRecorder, type WrittenRecording } from "../recording/call-recorder.ts";
import type { CallRoom, CallRoomConnector, CallRoomEvent } from "../room/call-room.ts";
import { AgentListener } from "./agent-listener.ts";
import { agentIntervals } from "./agent-speech.ts";
import { AgentWords } from "./agent-words.ts";
import { initialCallState, stepCall } from "./call-core.ts";
import type { CallEffect, CallEvent, CallState, CallTimer } from "./call-core-types.ts";
import type { CallEnd } from "./call-end.ts";
import type { CallLimits } from "./call-limits.ts";
import { WORDS_GRACE_MS } from "./call-step.ts";
import { addAgentTurn, agentTurnSpan, sortedEntries } from "./call-transcript.ts";
import { CallerVoice, type DtmfToneSettings, type PreparedLine } from "./caller-voice.ts";
import { MicrophonePlayout, type PlayoutStats } from "./microphone-playout.ts";

export interface CallPlan {
  url: string;
  token: string;
  brain: CallerBrain;
  /** Scripted callers: `interrupt_after_ms` of each move, in order (see interruptAfterMsByMove). */
  interruptAfterMsByMove?: readonly (number | undefined)[];
  /** The agent's identity; default: the first other participant to join. */
  agentIdentity?: string;
  limits: CallLimits;
  /** Where the WAV files go; nothing is written when the caller never got into the room. */
  recordingDir: string;
}

export interface CallDeps {
  connector: CallRoomConnector;
  tts: TextToSpeech;
  makeVad: () => VoiceActivity;
  /** Offline STT for agents that publish no `lk.transcription`; undefined = no words then. */
  makeStt?: () => AudioSpeechToTextStream | undefined;
  clock: Clock;
  /** Wall clock (ms since epoch), only for the ISO times of the result. */
  wallNow: () => number;
  emit: (event: VoiceRunEventBody) => void;
  signal: AbortSignal;
  dtmf?: DtmfToneSettings;
}

export interface CallReport {
  end: CallEnd;
  startedAtWallMs: number;
  endedAtWallMs: number;
  durationMs: number;
  roomName: string | undefined;
  /** Both sides with speech times, ms since the call started (= positions in the WAV files). */
  transcript: VoiceTranscriptEntry[];
  /** The same turns in the text shape the caller brain and assertions read. */
  conversation: TranscriptEntry[];
  recording: WrittenRecording | null;
  metrics: VoiceMetrics | null;
  playout: PlayoutStats | null;
  agentIdentity: string | undefined;
}

const message = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause));

export function runCall(plan: CallPlan, deps: CallDeps): Promise<CallReport> {
  const { clock } = deps;
  const now = () => clock.now();
  const startWallMs = deps.wallNow();
  const recorder = new CallRecorder({ clock, maxDurationMs: plan.limits.maxDurationMs + 60_000 });
  // Building a VAD can take a while (Silero loads its model on first use in a process, ~130 ms):
  // the call starts at the recorder's zero, below, so transcript times stay WAV positions.
  const vad = deps.makeVad();
  const words = new AgentWords(deps.makeStt, () => checkWords());
  // Pending brain decisions and syntheses stop with the call.
  const callOver = new AbortController();
  const signal = AbortSignal.any([deps.signal, callOver.signal]);
  const timers = new Map<CallTimer, () => void>();
  const lines = new Map<number, PreparedLine>();
  let state: CallState = initialCallState({
    limits: plan.limits,
    ...(plan.agentIdentity === undefined ? {} : { agentIdentity: plan.agentIdentity }),
    interruptAfterMsByMove: plan.interruptAfterMsByMove ?? [],
  });
  let room: CallRoom | undefined;
  let playout: MicrophonePlayout | undefined;
  let voice: CallerVoice | undefined;
  let listener: AgentListener | undefined;
  /** End of the agent speech whose words the core waits for. */
  let wordsFor: number | undefined;
  let resolve: (report: CallReport) => void = () => undefined;
  let reject: (cause: unknown) => void = () => undefined;
  const report = new Promise<CallReport>((res, rej) => {
    resolve = res;
    reject = rej;
  });

  // Events are handled one at a time, in order: an effect's own events are queued behind it.
  const queue: CallEvent[] = [];
  let draining = false;
  function dispatch(event: CallEvent): void {
    queue.push(event);
    if (draining) return;
    draining = true;
    try {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const out = stepCall(state, next);
        state = out.state;
        for (const effect of out.effects) {
          try {
            perform(effect);
          } catch (cause) {
            queue.push({ type: "failure", at: now(), detail: message(cause) });
          }
        }
      }
    } finally {
      draining = false;
    }
  }

  function checkWords(): void {
    if (wordsFor === undefined || !words.ready(wordsFor)) return;
    wordsFor = undefined;
    dispatch({ type: "words_ready", at: now() });
  }

  function onRoomEvent(e: CallRoomEvent): void {
    const fromAgent = "identity" in e && e.identity === state.agentIdentity;
    switch (e.type) {
      case "audio":
        if (fromAgent) listener?.push(e.audio, e.receivedAtMs);
        return;
      case "transcription":
        if (fromAgent) words.onTranscription(e.segmentId, e.delta);
        checkWords();
        return;
      case "transcription_end":
        if (fromAgent) words.onTranscriptionEnd(e.segmentId);
        checkWords();
        return;
      default:
        dispatch({ ...e, at: now() });
    }
  }

  function connected(joined: CallRoom): void {
    if (state.phase === "done") {
      // Ended meanwhile (connect limit, interrupt): the late room is left at once.
      void joined.leave();
      return;
    }
    room = joined;
    const caller = joined.localIdentity || "caller";
    recorder.addParticipant(caller, "user");
    playout = new MicrophonePlayout(joined, clock, {
      frameMs: joined.microphoneFrameMs,
      onFrame: (samples, slotMs) =>
        recorder.write(caller, { samples, sampleRate: joined.sampleRate }, slotMs),
    });
    voice = new CallerVoice(joined, playout, deps.tts, deps.dtmf);
    playout.start();
    dispatch({ type: "connected", at: now() });
  }

  function perform(effect: CallEffect): void {
    switch (effect.type) {
      case "connect":
        deps.connector
          .connect({ url: plan.url, token: plan.token, onEvent: onRoomEvent, signal: deps.signal })
          .then(connected, (cause: unknown) =>
            dispatch({ type: "connect_failed", at: now(), detail: message(cause) }),
          );
        return;
      case "admit_agent":
        recorder.addParticipant(effect.identity, "agent");
        listener = new AgentListener(
          effect.identity,
          recorder,
          vad,
          (speech) => dispatch({ ...speech, at: now() }),
          (audio, atMs) => words.audio(audio, atMs),
        );
        return;
      case "set_timer": {
        timers.get(effect.timer)?.();
        const timer = effect.timer;
        timers.set(
          timer,
          clock.setTimer(effect.dueAt, () => dispatch({ type: "timer", at: now(), timer })),
        );
        return;
      }
      case "clear_timer":
        timers.get(effect.timer)?.();
        timers.delete(effect.timer);
        return;
      case "watch_words":
        wordsFor = effect.speechEndMs;
        checkWords();
        return;
      case "unwatch_words":
        wordsFor = undefined;
        return;
      case "decide_words":
        words.decide();
        dispatch({ type: "words_decided", at: now(), sttRunning: words.sttRunning });
        return;
      case "take_words":
        dispatch({ type: "words_taken", at: now(), text: words.take() });
        return;
      case "ask_brain":
        plan.brain.next(effect.view, signal).then(
          (move) => dispatch({ type: "brain_move", at: now(), move }),
          (cause: unknown) => dispatch({ type: "brain_failed", at: now(), detail: message(cause) }),
        );
        return;
      case "prepare_line": {
        if (!voice) throw new Error("no microphone");
        const { lineId } = effect;
        voice.prepare(effect.text, signal).then(
          (line) => {
            lines.set(lineId, line);
            dispatch({ type: "line_prepared", at: now(), lineId });
          },
          (cause: unknown) => dispatch({ type: "prepare_failed", at: now(), detail: message(cause) }),
        );
        return;
      }
      case "speak_line": {
        const line = lines.get(effect.lineId);
        if (!voice || !line) throw new Error(`line ${effect.lineId} is not prepared`);
        lines.delete(effect.lineId);
        const { lineId } = effect;
        voice.speak(line, effect.notBeforeMs === undefined ? {} : { notBeforeMs: effect.notBeforeMs }).then(
          (spoken) => dispatch({ type: "line_spoken", at: now(), lineId, ...spoken }),
          (cause: unknown) => dispatch({ type: "speak_failed", at: now(), detail: message(cause) }),
        );
        return;
      }
      case "set_microphone_lead":
        playout?.setMaxLead(effect.leadMs);
        return;
      case "emit":
        deps.emit(effect.event);
        return;
      case "end":
        for (const cancel of timers.values()) cancel();
        timers.clear();
        callOver.abort();
        deps.signal.removeEventListener("abort", onAbort);
        finish(effect.end).then(resolve, reject);
        return;
    }
  }

  /** Tears the call down, then writes the agent's last words, the recording and the metrics. */
  async function finish(end: CallEnd): Promise<CallReport> {
    const endMs = now();
    const stats = playout ? { ...playout.stats } : null;
    await playout?.stop().catch(() => undefined);
    await room?.leave();
    listener?.flush();
    // The agent's last words (it spoke, then left or the call was ended) still belong in the transcript.
    words.decide();
    let cancelGrace: () => void = () => undefined;
    await Promise.race([
      words.end(),
      new Promise<void>((r) => {
        cancelGrace = clock.setTimer(endMs + WORDS_GRACE_MS, r);
      }),
    ]);
    cancelGrace();
    const t = state.transcript;
    const last = addAgentTurn(t, words.take(), agentTurnSpan(t, state.timeline, endMs), endMs);
    state = { ...state, transcript: last.transcript };
    if (last.turn) deps.emit(last.turn);
    let recording: WrittenRecording | null = null;
    if (room) recording = await recorder.writeFiles(plan.recordingDir, "call").catch(() => null);
    const metrics =
      state.agentIdentity === undefined
        ? null
        : analyzeTurns({
            callStartMs: state.startedAt,
            callEndMs: Math.max(endMs, state.startedAt),
            caller: [...state.transcript.callerSpeech],
            agent: agentIntervals(state.timeline, endMs),
            agentWordCount: words.wordCount,
            agentVad: { engine: vad.engine, frameMs: vad.frameMs },
            stt: words.source(),
          });
    return { ...reportOf(end, endMs), recording, metrics, playout: stats };
  }

  function reportOf(end: CallEnd, endMs: number): CallReport {
    const startMs = state.startedAt;
    return {
      end,
      startedAtWallMs: startWallMs,
      endedAtWallMs: startWallMs + (endMs - startMs),
      durationMs: Math.round((endMs - startMs) * 10) / 10,
      roomName: room?.roomName || undefined,
      transcript: sortedEntries(state.transcript),
      conversation: [...state.transcript.conversation],
      recording: null,
      metrics: null,
      playout: null,
      agentIdentity: state.agentIdentity,
    };
  }

  const onAbort = () =>
    dispatch({
      type: "interrupt",
      at: now(),
      detail: `the call was interrupted (${message(deps.signal.reason ?? "shutdown")})`,
    });
  dispatch({ type: "start", at: recorder.startedAtMs });
  if (deps.signal.aborted) onAbort();
  else deps.signal.addEventListener("abort", onAbort, { once: true });
  return report;
}
