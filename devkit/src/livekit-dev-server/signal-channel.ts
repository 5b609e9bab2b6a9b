import { SignalRequest, SignalResponse } from "@livekit/protocol";
import type { WebSocket } from "ws";

/** SDP offers with many sections stay far below this; ws drops bigger frames (close 1009). */
export const MAX_SIGNAL_FRAME_BYTES = 256 * 1024;

export type SignalMessage = NonNullable<SignalResponse["message"]>;
export type SignalRequestMessage = NonNullable<SignalRequest["message"]> & { case: string };

export interface SignalChannelEvents {
  request(message: SignalRequestMessage): void;
  /** Socket gone (client closed, error, keepalive timeout, or hostile frame). */
  closed(why: string): void;
}

/**
 * One participant's signalling WebSocket: protobuf in/out, keepalive, and the rule that a
 * malformed frame ends this connection only — it never throws into the server.
 */
export class SignalChannel {
  readonly #ws: WebSocket;
  readonly #events: SignalChannelEvents;
  readonly #pingTimeoutMs: number;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(ws: WebSocket, events: SignalChannelEvents, opts: { pingTimeoutS: number }) {
    this.#ws = ws;
    this.#events = events;
    this.#pingTimeoutMs = opts.pingTimeoutS * 1000;
    ws.on("message", (data, isBinary) => this.#onFrame(data, isBinary));
    ws.on("close", (code) => this.#finish(`socket closed (${code})`));
    ws.on("error", (err) => this.#finish(`socket error: ${err.message}`));
    this.#armIdle();
  }

  get open(): boolean {
    return !this.#closed;
  }

  send(message: SignalMessage): void {
    if (this.#closed || this.#ws.readyState !== this.#ws.OPEN) return;
    this.#ws.send(new SignalResponse({ message }).toBinary());
  }

  /** Closes after already-queued frames are flushed (ws sends in order before the close frame). */
  close(code = 1000, reason = ""): void {
    if (this.#closed) return;
    this.#ws.close(code, reason.slice(0, 120));
    // A peer that never answers the close handshake must not keep the session alive.
    setTimeout(() => this.#ws.terminate(), 2_000).unref();
    this.#finish(reason || "closed by server");
  }

  #onFrame(data: unknown, isBinary: boolean): void {
    if (this.#closed) return;
    if (!isBinary || !Buffer.isBuffer(data)) {
      this.close(1003, "signal frames must be binary protobuf SignalRequest messages");
      return;
    }
    let request: SignalRequest;
    try {
      request = SignalRequest.fromBinary(data);
    } catch {
      this.close(1007, "undecodable SignalRequest frame");
      return;
    }
    this.#armIdle();
    const message = request.message;
    if (message.case === undefined) return;
    try {
      this.#events.request(message);
    } catch (err) {
      console.error("[livekit-dev-server] signal handler failed:", err);
    }
  }

  #armIdle(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.close(1001, "no ping within ping_timeout"), this.#pingTimeoutMs);
    this.#idleTimer.unref();
  }

  #finish(why: string): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#events.closed(why);
    } catch (err) {
      console.error("[livekit-dev-server] close handler failed:", err);
    }
  }
}
