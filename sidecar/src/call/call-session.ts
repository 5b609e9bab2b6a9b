/**
 * One voice call, start to finish: connect, wait for the agent, then play the caller brain's
 * moves against endpointed agent turns; record everything on one clock and measure it. Every
 * wait is bounded by its stage limit and by the call's end (agent left, max duration, abort):
 * the first end wins and unwinds all pending waits, so a call never hangs.
 */
import { type CallerBrain, type CallerMove, repliesSinceLastCaller } from "@spar/caller";
import type { TranscriptEntry, VoiceMetrics, VoiceRunEventBody, VoiceTranscriptEntry } from "@spar/protocol";
import type { SpeechInterval } from "../analysis/call-timeline.ts";
import { analyzeTurns } from "../analysis/turn-analysis.ts";
import type { Clock } from "../media/clock.ts";
import type { AudioSpeechToTextStream } from "../media/stt/speech-to-text.ts";
import type { TextToSpeech } from "../media/tts/text-to-speech.ts";
import type { VoiceActivity } from "../media/vad/voice-activity.ts";
import { CallRecorder, type WrittenRecording } from "../recording/call-recorder.ts";
import type { CallRoom, CallRoomConnector, CallRoomEvent } from "../room/call-room.ts";
import { AgentListener } from "./agent-listener.ts";
import { AgentSpeech } from "./agent-speech.ts";
import { AgentWords } from "./agent-words.ts";
import { type CallEnd, CallEnded, failed } from "./call-end.ts";
import type { CallLimits } from "./call-limits.ts";
import { CallerVoice, type DtmfToneSettings, type PreparedLine, type SpokenLine } from "./caller-voice.ts";
import type { InterruptPlan } from "./interrupt-plan.ts";
import { MicrophonePlayout, type PlayoutStats } from "./microphone-playout.ts";

export interface CallPlan {
  url: string;
  token: string;
  brain: CallerBrain;
  /** Scripted callers: which moves barge in (see InterruptPlan). */
  interrupts?: InterruptPlan;
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

const POLL_MS = 20;
/**
 * How far the microphone runs ahead of the track while a barge-in is pending (see
 * MicrophonePlayout.setMaxLead): the barge-in is decided when the agent's onset is heard and
 * starts `interrupt_after_ms` after it, so it can land on its sample if that is at least the
 * hearing delay (transit + one received frame) + this lead + one microphone frame: ~350 ms here.
 */
const BARGE_IN_LEAD_MS = 40;
/** How long an agent turn's words may trail its audio: published text (a stream's first packets lag). */
const WORDS_GRACE_MS = 2_000;
/** Offline STT starts at the agent's first turn (model load ~1 s) and then transcribes what was buffered. */
const STT_GRACE_MS = 6_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function runCall(plan: CallPlan, deps: CallDeps): Promise<CallReport> {
  return new CallSession(plan, deps).run();
}

class CallSession {
  private readonly startMs: number;
  private readonly startWallMs: number;
  private readonly recorder: CallRecorder;
  private readonly speech: AgentSpeech;
  private readonly words: AgentWords;
  private readonly vad: VoiceActivity;
  private readonly callerSpeech: SpeechInterval[] = [];
  private readonly transcript: VoiceTranscriptEntry[] = [];
  private readonly conversation: TranscriptEntry[] = [];
  private room: CallRoom | undefined;
  private playout: MicrophonePlayout | undefined;
  private voice: CallerVoice | undefined;
  private listener: AgentListener | undefined;
  private agent: string | undefined;
  private ending: CallEnd | undefined;
  private rejectEnded: (e: CallEnded) => void = () => undefined;
  private readonly ended: Promise<never>;
  /** Agent speech before this clock ms is already in the transcript. */
  private agentTurnFrom: number;
  private lastCallerEndMs: number | undefined;
  private turnIndex = 0;

  constructor(
    private readonly plan: CallPlan,
    private readonly deps: CallDeps,
  ) {
    this.startMs = deps.clock.now();
    this.startWallMs = deps.wallNow();
    this.agentTurnFrom = this.startMs;
    this.recorder = new CallRecorder({
      clock: deps.clock,
      maxDurationMs: plan.limits.maxDurationMs + 60_000,
    });
    this.speech = new AgentSpeech(plan.limits.endpointingMs);
    this.vad = deps.makeVad();
    this.words = new AgentWords(deps.makeStt);
    this.ended = new Promise<never>((_, reject) => {
      this.rejectEnded = reject;
    });
    this.ended.catch(() => undefined);
  }

  async run(): Promise<CallReport> {
    const { signal } = this.deps;
    const timer = setTimeout(
      () =>
        this.stop(
          failed(
            "max_duration",
            `the call exceeded max_duration_s (${this.plan.limits.maxDurationMs / 1000})`,
          ),
        ),
      this.plan.limits.maxDurationMs,
    );
    const onAbort = () =>
      this.stop({
        status: "interrupted",
        reason: "interrupted",
        endedBy: "platform",
        detail: `the call was interrupted (${errorText(signal.reason ?? "shutdown")})`,
      });
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    const flow = this.flow();
    flow.catch(() => undefined);
    try {
      await Promise.race([flow, this.ended]);
    } catch (cause) {
      if (!(cause instanceof CallEnded)) {
        this.stop(
          failed(
            "internal_error",
            `the call failed: ${cause instanceof Error ? cause.message : String(cause)}`,
          ),
        );
      }
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    }
    return this.finish();
  }

  private stop(end: CallEnd): void {
    if (this.ending) return;
    this.ending = end;
    this.rejectEnded(new CallEnded(end));
  }

  private throwIfEnded(): void {
    if (this.ending) throw new CallEnded(this.ending);
  }

  /** Waits for `check` (polled) up to `timeoutMs`; false on timeout; throws once the call ended. */
  private async until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = this.deps.clock.now() + timeoutMs;
    for (;;) {
      this.throwIfEnded();
      if (check()) return true;
      const left = deadline - this.deps.clock.now();
      if (left <= 0) return false;
      await sleep(Math.min(POLL_MS, left));
    }
  }

  /** Races `work` against `timeoutMs` and the call's end. */
  private async bounded<T>(work: Promise<T>, timeoutMs: number, onTimeout: () => CallEnd): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CallEnded(onTimeout())), timeoutMs);
    });
    try {
      return await Promise.race([work, timeout, this.ended]);
    } catch (cause) {
      if (cause instanceof CallEnded) this.stop(cause.end);
      throw cause;
    } finally {
      clearTimeout(timer);
    }
  }

  private async flow(): Promise<void> {
    const { limits } = this.plan;
    const { emit } = this.deps;
    emit({ type: "stage_started", stage: "connect" });
    try {
      this.room = await this.bounded(
        this.deps.connector.connect({
          url: this.plan.url,
          token: this.plan.token,
          onEvent: (e) => this.onRoomEvent(e),
          signal: this.deps.signal,
        }),
        limits.connectMs,
        () =>
          failed("connection_failed", `could not connect to the room within ${limits.connectMs / 1000} s`),
      );
    } catch (cause) {
      const end =
        cause instanceof CallEnded
          ? cause.end
          : failed("connection_failed", `could not connect to the room: ${errorText(cause)}`);
      this.stop(end);
      emit({ type: "stage_finished", stage: "connect", ok: false, reason: end.reason });
      throw new CallEnded(end);
    }
    emit({ type: "stage_finished", stage: "connect", ok: true });
    const room = this.room;
    this.recorder.addParticipant(room.localIdentity || "caller", "user");
    const playout = new MicrophonePlayout(room, this.deps.clock, {
      frameMs: room.microphoneFrameMs,
      onFrame: (samples, slotMs) =>
        this.recorder.write(room.localIdentity || "caller", { samples, sampleRate: room.sampleRate }, slotMs),
    });
    this.playout = playout;
    this.voice = new CallerVoice(room, playout, this.deps.tts, this.deps.dtmf);
    playout.start();

    emit({ type: "stage_started", stage: "agent_join" });
    if (!(await this.until(() => this.agent !== undefined, limits.agentJoinMs))) {
      const end = failed(
        "agent_never_joined",
        `no agent joined the room within ${limits.agentJoinMs / 1000} s`,
      );
      emit({ type: "stage_finished", stage: "agent_join", ok: false, reason: end.reason });
      this.stop(end);
      this.throwIfEnded();
    }
    emit({ type: "stage_finished", stage: "agent_join", ok: true });
    emit({ type: "stage_started", stage: "conversation" });
    await this.converse();
  }

  private onRoomEvent(e: CallRoomEvent): void {
    switch (e.type) {
      case "participant_joined":
        if (this.agent === undefined && (this.plan.agentIdentity ?? e.identity) === e.identity)
          this.admitAgent(e.identity);
        return;
      case "participant_left":
        if (e.identity === this.agent)
          this.stop({
            status: "completed",
            reason: "agent_ended",
            endedBy: "agent",
            detail: "the agent left the room",
          });
        return;
      case "audio":
        if (e.identity === this.agent) this.listener?.push(e.audio, e.receivedAtMs);
        return;
      case "transcription":
        if (e.identity === this.agent) this.words.onTranscription(e.segmentId, e.delta);
        return;
      case "transcription_end":
        if (e.identity === this.agent) this.words.onTranscriptionEnd(e.segmentId);
        return;
      case "disconnected":
        this.stop(
          e.normal
            ? {
                status: "completed",
                reason: "agent_ended",
                endedBy: "agent",
                detail: `the room closed (${e.reason})`,
              }
            : failed("connection_lost", `the caller was disconnected from the room (${e.reason})`),
        );
        return;
    }
  }

  private admitAgent(identity: string): void {
    this.agent = identity;
    this.recorder.addParticipant(identity, "agent");
    this.listener = new AgentListener(identity, this.recorder, this.vad, this.speech, (audio, atMs) =>
      this.words.audio(audio, atMs),
    );
    this.deps.emit({ type: "participant_joined", identity });
  }

  private async converse(): Promise<void> {
    const { limits } = this.plan;
    const now = () => this.deps.clock.now();
    // A greeting agent speaks first; a silent one leaves the first word to the caller.
    if (await this.until(() => this.speech.speechAfter(this.startMs) !== undefined, limits.greetingWaitMs)) {
      await this.until(() => this.speech.turnOver(this.startMs, now()), Number.POSITIVE_INFINITY);
      await this.closeAgentTurn();
    }
    let pending: CallerMove | undefined;
    for (;;) {
      const move = pending ?? (await this.nextMove());
      pending = undefined;
      switch (move.kind) {
        case "end":
          this.stop({
            status: "completed",
            reason: "caller_ended",
            endedBy: "caller",
            ...(move.failure === undefined ? {} : { detail: move.failure }),
          });
          this.throwIfEnded();
          return;
        case "wait_for_end":
          await this.until(() => false, limits.turnTimeoutMs);
          this.stop(
            failed("agent_timeout", `the agent did not end the call within ${limits.turnTimeoutMs / 1000} s`),
          );
          this.throwIfEnded();
          return;
        case "wait": {
          const from = now();
          await this.until(() => false, move.ms);
          // The agent may have spoken while the caller stayed silent: let it finish first.
          if (this.speech.speechAfter(from) !== undefined) {
            await this.until(() => this.speech.turnOver(from, now()), Number.POSITIVE_INFINITY);
            await this.closeAgentTurn();
          }
          break;
        }
        case "say":
          pending = await this.sayAndListen(move.text);
          break;
      }
    }
  }

  /**
   * Speaks a line, waits for the agent's reply to start (per-turn timeout) and to end
   * (endpointing). When the next scripted move barges in, it is asked for at the reply's onset
   * and played `interrupt_after_ms` after it; that move is returned as already done.
   */
  private async sayAndListen(text: string): Promise<CallerMove | undefined> {
    const { limits } = this.plan;
    const now = () => this.deps.clock.now();
    const line = await this.prepare(text);
    const spoken = await this.speak(line);
    const since = spoken.endMs;
    const replied = await this.until(
      () => this.speech.speechAfter(since) !== undefined,
      limits.turnTimeoutMs,
    );
    if (!replied) {
      this.stop(
        failed(
          "agent_timeout",
          `the agent did not start speaking within ${limits.turnTimeoutMs / 1000} s of the caller's turn`,
        ),
      );
      this.throwIfEnded();
    }
    if (this.plan.interrupts?.nextInterruptMs() === undefined) {
      await this.until(() => this.speech.turnOver(since, now()), Number.POSITIVE_INFINITY);
      await this.closeAgentTurn();
      return undefined;
    }
    const onsetMs = this.speech.speechAfter(since) ?? now();
    const move = await this.nextMove();
    if (move.kind !== "say" || move.interruptAfterMs === undefined) {
      await this.until(() => this.speech.turnOver(since, now()), Number.POSITIVE_INFINITY);
      await this.closeAgentTurn();
      return move;
    }
    const bargeIn = await this.prepare(move.text);
    const bargeSpoken = this.speakLine(bargeIn, onsetMs + move.interruptAfterMs);
    // Queued (with its start time) by now: the microphone may run a whole queue ahead again.
    if (this.plan.interrupts?.nextInterruptMs() === undefined) this.playout?.setMaxLead(undefined);
    const played = await this.bounded(bargeSpoken, limits.maxDurationMs, () =>
      failed("internal_error", "the microphone stopped playing"),
    );
    await this.closeAgentTurn({ cutMs: played.startMs });
    this.addCallerTurn(played);
    // After the barge-in the agent answers it like any caller turn.
    const afterBarge = await this.until(
      () => this.speech.speechAfter(played.endMs) !== undefined,
      limits.turnTimeoutMs,
    );
    if (!afterBarge) {
      this.stop(
        failed(
          "agent_timeout",
          `the agent did not start speaking within ${limits.turnTimeoutMs / 1000} s of the caller's turn`,
        ),
      );
      this.throwIfEnded();
    }
    await this.until(() => this.speech.turnOver(played.endMs, now()), Number.POSITIVE_INFINITY);
    // Only speech that began after the barge-in answers it; the interrupted tail is in the previous turn.
    await this.closeAgentTurn({ onsetAfterMs: played.startMs });
    return undefined;
  }

  private prepare(text: string) {
    const voice = this.voice;
    if (!voice) throw new Error("no microphone");
    return this.bounded(voice.prepare(text, this.deps.signal), this.plan.limits.stepMs, () =>
      failed("internal_error", `speech synthesis took over ${this.plan.limits.stepMs / 1000} s`),
    );
  }

  private async speak(line: PreparedLine): Promise<SpokenLine> {
    const spoken = await this.bounded(this.speakLine(line), this.plan.limits.maxDurationMs, () =>
      failed("internal_error", "the microphone stopped playing"),
    );
    this.addCallerTurn(spoken);
    return spoken;
  }

  private async speakLine(line: PreparedLine, notBeforeMs?: number): Promise<SpokenLine> {
    const voice = this.voice;
    if (!voice) throw new Error("no microphone");
    try {
      return await voice.speak(line, notBeforeMs === undefined ? {} : { notBeforeMs });
    } catch (cause) {
      if (cause instanceof CallEnded) throw cause;
      this.stop(failed("connection_lost", `the caller's audio stopped: ${errorText(cause)}`));
      throw new CallEnded(this.ending ?? failed("connection_lost", "the caller's audio stopped"));
    }
  }

  private async nextMove(): Promise<CallerMove> {
    const view = {
      transcript: this.conversation,
      repliesSinceLastCaller: repliesSinceLastCaller(this.conversation),
    };
    let move: CallerMove;
    try {
      move = await this.bounded(this.plan.brain.next(view, this.deps.signal), this.plan.limits.stepMs, () =>
        failed(
          "internal_error",
          `the caller brain did not decide within ${this.plan.limits.stepMs / 1000} s`,
        ),
      );
    } catch (cause) {
      if (cause instanceof CallEnded) throw cause;
      this.stop(failed("internal_error", `the caller brain failed: ${errorText(cause)}`));
      throw new CallEnded(this.ending ?? failed("internal_error", "the caller brain failed"));
    }
    this.plan.interrupts?.moveTaken();
    // Before a barge-in the microphone runs just ahead of the track, so the barge-in can start
    // on its sample soon after the agent's onset is heard (raised again once it is queued).
    if (this.plan.interrupts?.nextInterruptMs() !== undefined) this.playout?.setMaxLead(BARGE_IN_LEAD_MS);
    return move;
  }

  private addCallerTurn(line: SpokenLine): void {
    this.callerSpeech.push({ startMs: line.startMs, endMs: line.endMs });
    this.lastCallerEndMs = line.endMs;
    this.agentTurnFrom = Math.max(this.agentTurnFrom, line.startMs);
    this.addEntry("user", line.text, line.startMs, line.endMs, undefined);
  }

  /**
   * Writes the agent's speech since the last agent entry as one turn. `cutMs` (a barge-in) is
   * where the next turn starts; `onsetAfterMs` keeps only speech that began after it.
   */
  private async closeAgentTurn(options: { cutMs?: number; onsetAfterMs?: number } = {}): Promise<void> {
    const from = this.agentTurnFrom;
    const now = this.deps.clock.now();
    const after = options.onsetAfterMs ?? Number.NEGATIVE_INFINITY;
    const segments = this.speech.intervals(now).filter((s) => s.endMs > from && s.startMs >= after);
    const first = segments[0];
    const last = segments.at(-1);
    if (last) await this.until(() => this.words.ready(last.endMs), WORDS_GRACE_MS).catch(() => false);
    this.words.decide();
    if (last && this.words.sttRunning)
      await this.until(() => this.words.ready(last.endMs), STT_GRACE_MS).catch(() => false);
    const text = this.words.take();
    if (!first || !last) {
      if (text) this.addEntry("agent", text, now, now, undefined);
      return;
    }
    const startMs = Math.max(first.startMs, from);
    const latency =
      this.lastCallerEndMs !== undefined && startMs >= this.lastCallerEndMs
        ? startMs - this.lastCallerEndMs
        : undefined;
    this.addEntry("agent", text, startMs, last.endMs, latency);
    this.agentTurnFrom = options.cutMs ?? last.endMs;
  }

  private addEntry(
    role: "user" | "agent",
    content: string,
    startMs: number,
    endMs: number,
    latencyMs: number | undefined,
  ): void {
    const rel = (ms: number) => Math.max(0, Math.round((ms - this.startMs) * 10) / 10);
    const entry: VoiceTranscriptEntry = {
      role,
      content,
      start_ms: rel(startMs),
      end_ms: rel(Math.max(startMs, endMs)),
    };
    this.transcript.push(entry);
    const text: TranscriptEntry = { role, content, at_ms: entry.start_ms };
    if (latencyMs !== undefined) text.latency_ms = Math.round(latencyMs * 10) / 10;
    this.conversation.push(text);
    this.deps.emit({
      type: "turn",
      turn_index: ++this.turnIndex,
      role,
      content,
      start_ms: entry.start_ms,
      end_ms: entry.end_ms,
      ...(text.latency_ms === undefined ? {} : { latency_ms: text.latency_ms }),
    });
  }

  private async finish(): Promise<CallReport> {
    const end = this.ending ?? failed("internal_error", "the call ended without a reason");
    const endMs = this.deps.clock.now();
    const stats = this.playout ? { ...this.playout.stats } : null;
    await this.playout?.stop().catch(() => undefined);
    await this.room?.leave();
    this.listener?.flush();
    // The agent's last words (it spoke, then left or the call was ended) still belong in the transcript.
    const trailing = this.speech.intervals(endMs).some((s) => s.endMs > this.agentTurnFrom);
    this.words.decide();
    await Promise.race([this.words.end(), sleep(WORDS_GRACE_MS)]);
    if (trailing) this.closeAgentTurnAfterEnd(endMs);
    else {
      const text = this.words.take();
      if (text) this.addEntry("agent", text, endMs, endMs, undefined);
    }
    let recording: WrittenRecording | null = null;
    if (this.room) {
      try {
        recording = await this.recorder.writeFiles(this.plan.recordingDir, "call");
      } catch {
        recording = null;
      }
    }
    const conversationStarted = this.agent !== undefined;
    const metrics = conversationStarted
      ? analyzeTurns({
          callStartMs: this.startMs,
          callEndMs: Math.max(endMs, this.startMs),
          caller: this.callerSpeech,
          agent: this.speech.intervals(endMs),
          agentWordCount: this.words.wordCount,
          agentVad: { engine: this.vad.engine, frameMs: this.vad.frameMs },
          stt: this.words.source(),
        })
      : null;
    const transcript = [...this.transcript].sort((a, b) => a.start_ms - b.start_ms);
    return {
      end,
      startedAtWallMs: this.startWallMs,
      endedAtWallMs: this.startWallMs + (endMs - this.startMs),
      durationMs: Math.round((endMs - this.startMs) * 10) / 10,
      roomName: this.room?.roomName || undefined,
      transcript,
      conversation: this.conversation,
      recording,
      metrics,
      playout: stats,
      agentIdentity: this.agent,
    };
  }

  /** Like closeAgentTurn, without waiting: the call is over and every wait would throw. */
  private closeAgentTurnAfterEnd(endMs: number): void {
    const segments = this.speech.intervals(endMs).filter((s) => s.endMs > this.agentTurnFrom);
    const first = segments[0];
    const last = segments.at(-1);
    if (!first || !last) return;
    const startMs = Math.max(first.startMs, this.agentTurnFrom);
    const latency =
      this.lastCallerEndMs !== undefined && startMs >= this.lastCallerEndMs
        ? startMs - this.lastCallerEndMs
        : undefined;
    this.addEntry("agent", this.words.take(), startMs, last.endMs, latency);
    this.agentTurnFrom = last.endMs;
  }
}

function errorText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
