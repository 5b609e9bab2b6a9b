/**
 * One observed session, start to finish: join as a silent participant, record the human (left,
 * the "caller" side) and the agent (right) on one clock, run a VAD on each received track, keep
 * the words published on `lk.transcription`, and at the end build the transcript and the turn
 * metrics from what was heard. It ends when the room closes (the session was deleted), when both
 * parties have left, at max duration, or on abort; the first end wins.
 */
import type { VoiceMetrics, VoiceRunEventBody, VoiceTranscriptEntry } from "@spar/protocol";
import { analyzeTurns } from "../analysis/turn-analysis.ts";
import { AgentListener } from "../call/agent-listener.ts";
import {
  type AgentTimeline,
  agentIntervals,
  applyAgentSpeech,
  EMPTY_TIMELINE,
} from "../call/agent-speech.ts";
import { type CallEnd, failed } from "../call/call-end.ts";
import type { Clock } from "../media/clock.ts";
import type { VoiceActivity } from "../media/vad/voice-activity.ts";
import { CallRecorder, type WrittenRecording } from "../recording/call-recorder.ts";
import { ObservedParties, type ObservedRole } from "./observed-parties.ts";
import { buildObservedTurns, type HeardWords, humanTurnIntervals } from "./observed-turns.ts";
import type { ObserverRoom, ObserverRoomConnector, ObserverRoomEvent } from "./observer-room.ts";

export interface ObservePlan {
  url: string;
  token: string;
  humanIdentity: string;
  agentIdentity?: string | undefined;
  maxDurationMs: number;
  connectMs: number;
  /** No agent in the room this long after joining → `agent_never_joined` (the spec's 30 s stage). */
  agentJoinMs: number;
  endpointingMs: number;
  recordingDir: string;
}

export interface ObserveDeps {
  connector: ObserverRoomConnector;
  makeVad: () => VoiceActivity;
  clock: Clock;
  wallNow: () => number;
  emit: (event: VoiceRunEventBody) => void;
  signal: AbortSignal;
}

export interface ObservedCall {
  end: CallEnd;
  startedAtWallMs: number;
  endedAtWallMs: number;
  durationMs: number;
  roomName: string | undefined;
  /** Both parties' turns, ms since the observer started (= positions in the WAV files). */
  transcript: VoiceTranscriptEntry[];
  recording: WrittenRecording | null;
  metrics: VoiceMetrics | null;
}

interface Party {
  listener: AgentListener;
  /** What the party's VAD heard, on the observer's clock. */
  speech: AgentTimeline;
  vad: VoiceActivity;
}

interface Segment {
  speaker: string;
  streamId: string;
  text: string;
  atMs: number;
}

const round = (v: number) => Math.round(v * 10) / 10;

export function observeSession(plan: ObservePlan, deps: ObserveDeps): Promise<ObservedCall> {
  return new ObserveSession(plan, deps).run();
}

class ObserveSession {
  private readonly startMs: number;
  private readonly startWallMs: number;
  private readonly recorder: CallRecorder;
  private readonly parties: ObservedParties;
  private readonly heard = new Map<ObservedRole, Party>();
  private readonly present = new Set<string>();
  private readonly seen = new Set<ObservedRole>();
  private readonly segments = new Map<string, Segment>();
  private firstToLeave: ObservedRole | undefined;
  private room: ObserverRoom | undefined;
  private ending: { end: CallEnd; atMs: number } | undefined;
  private resolveEnded: () => void = () => undefined;
  private readonly ended = new Promise<void>((resolve) => {
    this.resolveEnded = resolve;
  });

  constructor(
    private readonly plan: ObservePlan,
    private readonly deps: ObserveDeps,
  ) {
    this.startMs = deps.clock.now();
    this.startWallMs = deps.wallNow();
    this.recorder = new CallRecorder({ clock: deps.clock, maxDurationMs: plan.maxDurationMs + 60_000 });
    this.parties = new ObservedParties(plan.humanIdentity, plan.agentIdentity);
  }

  async run(): Promise<ObservedCall> {
    const { signal, emit } = this.deps;
    const maxS = this.plan.maxDurationMs / 1000;
    const timer = setTimeout(
      () => this.stop(failed("max_duration", `the session exceeded max_duration_s (${maxS})`)),
      this.plan.maxDurationMs,
    );
    const onAbort = () =>
      this.stop({
        status: "interrupted",
        reason: "interrupted",
        endedBy: "platform",
        detail: `the observer was interrupted (${String(signal.reason ?? "shutdown")})`,
      });
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    let joinTimer: NodeJS.Timeout | undefined;
    try {
      emit({ type: "stage_started", stage: "connect" });
      const connected = await this.connect();
      emit(
        connected
          ? { type: "stage_finished", stage: "connect", ok: true }
          : {
              type: "stage_finished",
              stage: "connect",
              ok: false,
              reason: this.ending?.end.reason ?? "connection_failed",
            },
      );
      if (connected) {
        // An observer of a room no agent came to would hold it open until max duration.
        joinTimer = setTimeout(() => {
          if (!this.heard.has("agent")) this.stop(this.agentNeverJoined());
        }, this.plan.agentJoinMs);
        emit({ type: "stage_started", stage: "conversation" });
      }
      await this.ended;
    } finally {
      clearTimeout(timer);
      clearTimeout(joinTimer);
      signal.removeEventListener("abort", onAbort);
    }
    return this.finish();
  }

  private async connect(): Promise<boolean> {
    const { connectMs } = this.plan;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), connectMs);
    });
    const joining = this.deps.connector.connect({
      url: this.plan.url,
      token: this.plan.token,
      onEvent: (e) => this.onEvent(e),
      signal: this.deps.signal,
    });
    try {
      const first = await Promise.race([joining, timeout, this.ended.then(() => "ended" as const)]);
      if (first === "timeout") {
        joining.then((room) => room.leave()).catch(() => undefined);
        this.stop(
          failed("connection_failed", `could not join the session's room within ${connectMs / 1000} s`),
        );
        return false;
      }
      if (first === "ended") {
        joining.then((room) => room.leave()).catch(() => undefined);
        return false;
      }
      this.room = first;
      return true;
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      this.stop(failed("connection_failed", `could not join the session's room: ${message}`));
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private stop(end: CallEnd): void {
    if (this.ending) return;
    this.ending = { end, atMs: this.deps.clock.now() };
    this.resolveEnded();
  }

  private onEvent(e: ObserverRoomEvent): void {
    switch (e.type) {
      case "participant_joined": {
        const role = this.parties.admit(e.identity);
        if (role === undefined) return;
        this.present.add(e.identity);
        this.hear(e.identity, role);
        return;
      }
      case "participant_left": {
        const role = this.parties.roleOf(e.identity);
        if (role === undefined) return;
        this.present.delete(e.identity);
        this.firstToLeave ??= role;
        if (this.seen.size === 2 && this.present.size === 0) {
          const human = this.firstToLeave === "human";
          this.stop({
            status: "completed",
            reason: human ? "caller_ended" : "agent_ended",
            endedBy: human ? "caller" : "agent",
          });
        }
        return;
      }
      case "audio": {
        const role = this.parties.admit(e.identity);
        if (role === undefined) return;
        this.hear(e.identity, role).listener.push(e.audio, e.receivedAtMs);
        return;
      }
      case "words": {
        const key = `${e.speaker}\u0000${e.segmentId}`;
        const segment = this.segments.get(key);
        // A later stream of a segment (an interim transcript made final) replaces its text.
        if (segment === undefined || segment.streamId !== e.streamId) {
          this.segments.set(key, { speaker: e.speaker, streamId: e.streamId, text: e.delta, atMs: e.atMs });
        } else segment.text += e.delta;
        return;
      }
      case "disconnected":
        // The session's room was deleted (DELETE /v1/sessions/livekit/…) or closed: the session is over.
        this.stop(
          e.normal
            ? { status: "completed", reason: "caller_ended", endedBy: "caller" }
            : failed("connection_lost", `the observer was disconnected from the room (${e.reason})`),
        );
        return;
    }
  }

  private hear(identity: string, role: ObservedRole): Party {
    const known = this.heard.get(role);
    if (known) return known;
    this.seen.add(role);
    this.recorder.addParticipant(identity, role === "human" ? "user" : "agent");
    const vad = this.deps.makeVad();
    const party: Party = {
      speech: EMPTY_TIMELINE,
      vad,
      listener: new AgentListener(identity, this.recorder, vad, (e) => {
        party.speech = applyAgentSpeech(party.speech, e);
      }),
    };
    this.heard.set(role, party);
    this.deps.emit({ type: "participant_joined", identity });
    return party;
  }

  /** `within`: the join limit passed; else the session ended first. */
  private agentNeverJoined(within = true): CallEnd {
    const when = within ? `within ${this.plan.agentJoinMs / 1000} s` : "before the session ended";
    return failed(
      "agent_never_joined",
      `no agent joined the session's room ${when}: nothing of the agent was recorded or measured`,
    );
  }

  private async finish(): Promise<ObservedCall> {
    const ending = this.ending ?? {
      end: failed("internal_error", "the session ended without a reason"),
      atMs: this.deps.clock.now(),
    };
    const endMs = Math.max(ending.atMs, this.startMs);
    await this.room?.leave();
    for (const party of this.heard.values()) party.listener.flush();
    const human = this.heard.get("human");
    const agent = this.heard.get("agent");
    const words: HeardWords[] = [...this.segments.values()].flatMap((s) => {
      const speaker = this.parties.roleOf(s.speaker);
      return speaker === undefined ? [] : [{ speaker, text: s.text, atMs: s.atMs }];
    });
    const turns = buildObservedTurns({
      human: human ? agentIntervals(human.speech, endMs) : [],
      agent: agent ? agentIntervals(agent.speech, endMs) : [],
      words,
      endpointingMs: this.plan.endpointingMs,
    });
    const rel = (ms: number) => Math.max(0, round(ms - this.startMs));
    const transcript: VoiceTranscriptEntry[] = turns.map((t) => ({
      role: t.role === "human" ? "user" : "agent",
      content: t.content,
      start_ms: rel(t.startMs),
      end_ms: rel(Math.max(t.startMs, t.endMs)),
    }));
    for (const [i, entry] of transcript.entries())
      this.deps.emit({ type: "turn", turn_index: i + 1, ...entry });
    let recording: WrittenRecording | null = null;
    if (this.heard.size > 0) {
      recording = await this.recorder.writeFiles(this.plan.recordingDir, "call").catch(() => null);
    }
    const agentWords = words.filter((w) => w.speaker === "agent");
    const metrics = this.room
      ? analyzeTurns({
          callStartMs: this.startMs,
          callEndMs: endMs,
          caller: humanTurnIntervals(turns),
          agent: agent ? agentIntervals(agent.speech, endMs) : [],
          agentWordCount:
            agentWords.length > 0
              ? agentWords.reduce((n, w) => n + w.text.split(/\s+/).filter(Boolean).length, 0)
              : null,
          agentVad: agent ? { engine: agent.vad.engine, frameMs: agent.vad.frameMs } : null,
          ...(human ? { callerVad: { engine: human.vad.engine, frameMs: human.vad.frameMs } } : {}),
          stt: agentWords.length > 0 ? { engine: "lk.transcription", fidelity: "exact" } : null,
        })
      : null;
    const end =
      this.room && agent === undefined && ending.end.status === "completed"
        ? this.agentNeverJoined(false)
        : ending.end;
    return {
      end,
      startedAtWallMs: this.startWallMs,
      endedAtWallMs: this.startWallMs + (endMs - this.startMs),
      durationMs: round(endMs - this.startMs),
      roomName: this.room?.roomName || undefined,
      transcript,
      recording,
      metrics,
    };
  }
}
