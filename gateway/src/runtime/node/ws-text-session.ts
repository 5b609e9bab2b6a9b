/**
 * The Node shell of the text session: carries out the core's effects over an outbound `ws`
 * socket with real timers, and feeds socket, timer and caller events back in. All protocol
 * decisions live in the core; this file only does I/O.
 */
import type { CallerBrain } from "@spar/caller";
import { displayUrl, MAX_AGENT_FRAME_BYTES, type TranscriptEntry } from "@spar/protocol";
import WebSocket from "ws";
import { initialState, step } from "../../text-session/session-core.ts";
import type {
  SessionConfig,
  SessionEffect,
  SessionEvent,
  SessionResult,
  SessionState,
  TimerName,
} from "../../text-session/session-types.ts";

/** Frames between the protocol limit and this are read and reported with a quote; larger ones are cut off by ws. */
const TRANSPORT_MAX_PAYLOAD = 4 * MAX_AGENT_FRAME_BYTES;

export interface TextSessionOptions {
  url: string;
  /** Handshake headers (X-RUBRIC-* identity plus forwarded X-* metadata). */
  headers: Record<string, string>;
  config: SessionConfig;
  caller: CallerBrain;
  /** Monotonic ms; defaults to performance.now. */
  now?: () => number;
  /** Aborting ends the session `interrupted` (whoever started it stopped it), with the signal's reason. */
  signal?: AbortSignal;
  /** Observes every event and effect (progress display, tracing). */
  onEvent?: (event: SessionEvent) => void;
  /** Each transcript entry as it is recorded (live run events). */
  onTranscript?: (entry: TranscriptEntry) => void;
}

export function runTextSession(opts: TextSessionOptions): Promise<SessionResult> {
  const now = opts.now ?? (() => performance.now());
  return new Promise<SessionResult>((resolve) => {
    let state: SessionState = initialState(opts.config);
    let socket: WebSocket | undefined;
    const timers = new Map<TimerName, NodeJS.Timeout>();
    const callerAbort = new AbortController();
    let finished = false;

    const dispatch = (event: SessionEvent): void => {
      if (finished) return;
      opts.onEvent?.(event);
      const out = step(state, event);
      const recorded = state.transcript.length;
      state = out.state;
      if (opts.onTranscript) for (const entry of state.transcript.slice(recorded)) opts.onTranscript(entry);
      for (const effect of out.effects) perform(effect);
    };

    const perform = (effect: SessionEffect): void => {
      switch (effect.type) {
        case "connect":
          connect();
          return;
        case "send":
          socket?.send(effect.data);
          return;
        case "set_timer": {
          clearTimeout(timers.get(effect.timer));
          const timer = effect.timer;
          timers.set(
            timer,
            setTimeout(
              () => dispatch({ type: "timer", at: now(), timer }),
              Math.max(0, effect.dueAt - now()),
            ),
          );
          return;
        }
        case "clear_timer":
          clearTimeout(timers.get(effect.timer));
          timers.delete(effect.timer);
          return;
        case "ask_caller":
          askCaller(effect.transcript, effect.repliesSinceLastCaller);
          return;
        case "close":
          close(effect.code, effect.reason);
          return;
        case "finish":
          finish(effect.result);
          return;
      }
    };

    const connect = (): void => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(opts.url, {
          headers: opts.headers,
          maxPayload: TRANSPORT_MAX_PAYLOAD,
          perMessageDeflate: false,
          followRedirects: false,
        });
      } catch (e) {
        queueMicrotask(() =>
          dispatch({ type: "connect_failed", at: now(), detail: `invalid agent URL: ${message(e)}` }),
        );
        return;
      }
      socket = ws;
      let opened = false;
      ws.on("open", () => {
        opened = true;
        dispatch({ type: "connected", at: now() });
      });
      ws.on("unexpected-response", (_req, res) => {
        dispatch({
          type: "connect_failed",
          at: now(),
          detail: `the agent answered HTTP ${res.statusCode} instead of upgrading to WebSocket`,
        });
        res.resume();
        ws.terminate();
      });
      ws.on("message", (data, isBinary) => {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        dispatch({
          type: "frame",
          at: now(),
          data: isBinary ? new Uint8Array(bytes) : bytes.toString("utf8"),
        });
      });
      ws.on("error", (err: Error & { code?: string }) => {
        if (!opened) {
          dispatch({
            type: "connect_failed",
            at: now(),
            detail: `could not connect to ${displayUrl(opts.url)}: ${message(err)}`,
          });
        } else if (err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
          dispatch({
            type: "frame_rejected",
            at: now(),
            detail: `frame over ${TRANSPORT_MAX_PAYLOAD} bytes`,
          });
        }
        // Other errors are followed by "close" (1006), which the core reads as a drop.
      });
      ws.on("close", (code, reason) => {
        dispatch({ type: "closed", at: now(), code, reason: reason.toString("utf8"), clean: code !== 1006 });
      });
    };

    const askCaller = (transcript: readonly TranscriptEntry[], replies: readonly string[]): void => {
      opts.caller.next({ transcript, repliesSinceLastCaller: replies }, callerAbort.signal).then(
        (move) => dispatch({ type: "caller_move", at: now(), move }),
        (e: unknown) => dispatch({ type: "caller_failed", at: now(), detail: message(e) }),
      );
    };

    const close = (code: number, reason: string): void => {
      const ws = socket;
      if (!ws) return;
      if (ws.readyState === WebSocket.OPEN) {
        ws.close(code, reason);
        // An agent that never answers the close handshake must not keep the socket alive.
        setTimeout(() => ws.terminate(), 2000).unref();
      } else if (ws.readyState === WebSocket.CONNECTING) {
        ws.terminate();
      }
    };

    const finish = (result: SessionResult): void => {
      finished = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      callerAbort.abort();
      opts.signal?.removeEventListener("abort", onAbort);
      resolve(result);
    };

    const onAbort = (): void =>
      dispatch({ type: "interrupt", at: now(), detail: message(opts.signal?.reason ?? "interrupted") });
    if (opts.signal?.aborted) {
      queueMicrotask(onAbort);
    } else {
      opts.signal?.addEventListener("abort", onAbort, { once: true });
    }
    dispatch({ type: "start", at: now() });
  });
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
