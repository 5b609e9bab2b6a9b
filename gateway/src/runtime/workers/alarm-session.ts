/**
 * The text session's shell for a Durable Object: the pure core (session-core.ts) driven by
 * socket events and one alarm. Every timer the core sets is a due time here, and the object's
 * single alarm is kept at the earliest of them; when it fires, every timer due by then is fed
 * back in. Nothing here sleeps, so a session costs nothing between events, and once the core
 * has finished, late events and alarms are ignored (the "terminated" flag).
 */
import type { CallerBrain } from "@spar/caller";
import type { TranscriptEntry } from "@spar/protocol";
import { initialState, step } from "../../text-session/session-core.ts";
import type {
  SessionConfig,
  SessionEffect,
  SessionEvent,
  SessionResult,
  SessionState,
  TimerName,
} from "../../text-session/session-types.ts";
import type { AgentSocket, SocketEvent } from "./agent-socket.ts";

export interface AlarmSessionPorts {
  /** Epoch ms; the alarm's clock too. */
  now(): number;
  /** Opens the agent socket, reporting its events through `on`. */
  connect(on: (event: SocketEvent) => void): Promise<AgentSocket | undefined>;
  caller: CallerBrain;
  /** The earliest due timer (epoch ms), or undefined when none is set. */
  setAlarm(dueAt: number | undefined): void;
  onTranscript(entry: TranscriptEntry): void;
  onFinish(result: SessionResult): void;
}

export class AlarmSession {
  private state: SessionState;
  private socket: AgentSocket | undefined;
  private readonly timers = new Map<TimerName, number>();
  private readonly callerAbort = new AbortController();
  private terminated = false;

  constructor(
    config: SessionConfig,
    private readonly ports: AlarmSessionPorts,
  ) {
    this.state = initialState(config);
  }

  get finished(): boolean {
    return this.terminated;
  }

  start(): void {
    this.dispatch({ type: "start", at: this.ports.now() });
  }

  /** Whoever started the run stopped it: it ends `interrupted` with this detail. */
  interrupt(detail: string): void {
    this.dispatch({ type: "interrupt", at: this.ports.now(), detail });
  }

  /** The alarm rang: every timer due by now fires, earliest first. */
  fireDue(): void {
    const now = this.ports.now();
    const due = [...this.timers].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
    for (const [timer] of due) {
      if (!this.timers.has(timer)) continue;
      this.timers.delete(timer);
      this.dispatch({ type: "timer", at: now, timer });
    }
    this.syncAlarm();
  }

  private dispatch(event: SessionEvent): void {
    if (this.terminated) return;
    const out = step(this.state, event);
    const recorded = this.state.transcript.length;
    this.state = out.state;
    for (const entry of this.state.transcript.slice(recorded)) this.ports.onTranscript(entry);
    for (const effect of out.effects) this.perform(effect);
    this.syncAlarm();
  }

  private perform(effect: SessionEffect): void {
    switch (effect.type) {
      case "connect":
        this.connect();
        return;
      case "send":
        this.socket?.send(effect.data);
        return;
      case "set_timer":
        this.timers.set(effect.timer, effect.dueAt);
        return;
      case "clear_timer":
        this.timers.delete(effect.timer);
        return;
      case "ask_caller":
        this.ports.caller
          .next(
            { transcript: effect.transcript, repliesSinceLastCaller: effect.repliesSinceLastCaller },
            this.callerAbort.signal,
          )
          .then(
            (move) => this.dispatch({ type: "caller_move", at: this.ports.now(), move }),
            (e: unknown) =>
              this.dispatch({
                type: "caller_failed",
                at: this.ports.now(),
                detail: e instanceof Error ? e.message : String(e),
              }),
          );
        return;
      case "close":
        this.socket?.close(effect.code, effect.reason);
        return;
      case "finish":
        this.terminated = true;
        this.timers.clear();
        this.callerAbort.abort();
        this.ports.onFinish(effect.result);
        return;
    }
  }

  private connect(): void {
    const on = (event: SocketEvent) => this.dispatch({ ...event, at: this.ports.now() } as SessionEvent);
    this.ports.connect(on).then(
      (socket) => {
        if (socket === undefined) return;
        this.socket = socket;
        // The core may have finished while connecting (connect timer, interrupt): let go at once.
        if (this.terminated) socket.close(1000, "the run ended while connecting");
        else this.dispatch({ type: "connected", at: this.ports.now() });
      },
      (e: unknown) =>
        this.dispatch({
          type: "connect_failed",
          at: this.ports.now(),
          detail: e instanceof Error ? e.message : String(e),
        }),
    );
  }

  private syncAlarm(): void {
    let earliest: number | undefined;
    for (const at of this.timers.values()) if (earliest === undefined || at < earliest) earliest = at;
    this.ports.setAlarm(this.terminated ? undefined : earliest);
  }
}
