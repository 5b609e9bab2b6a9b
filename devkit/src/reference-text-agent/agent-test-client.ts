/**
 * A test client for the reference agent: a real `ws` client that connects the way the platform
 * does and decodes every agent frame with the protocol's own decoder, so drift fails the tests.
 */
import { type AgentFrameDecode, type CallerFrame, decodeAgentFrame, encodeCallerFrame } from "@spar/protocol";
import { type RawData, WebSocket } from "ws";

export interface ReceivedFrame {
  raw: string;
  decoded: AgentFrameDecode;
  /** ms since the client connected. */
  atMs: number;
}

export interface AgentTestConnection {
  readonly frames: readonly ReceivedFrame[];
  send(frame: CallerFrame): void;
  /** Sends text as is, for frames the encoder would never produce. */
  sendRaw(text: string): void;
  /** The next frame not yet taken, waiting up to `timeoutMs`; rejects when none arrives. */
  next(timeoutMs?: number): Promise<ReceivedFrame>;
  /** Resolves when no frame arrives for `ms`; rejects with the frame when one does. */
  expectQuiet(ms: number): Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** ms since connect, on the same clock as `atMs`. */
  elapsedMs(): number;
  close(): void;
}

export function connectToAgent(url: string, headers: Record<string, string>): Promise<AgentTestConnection> {
  const started = performance.now();
  const socket = new WebSocket(url, { headers });
  const frames: ReceivedFrame[] = [];
  let taken = 0;
  let wake: (() => void) | undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on("close", (code, reason) => resolve({ code, reason: reason.toString("utf8") }));
  });
  socket.on("message", (data: RawData) => {
    const raw = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const text = raw.toString("utf8");
    frames.push({ raw: text, decoded: decodeAgentFrame(text), atMs: performance.now() - started });
    wake?.();
  });

  const connection: AgentTestConnection = {
    frames,
    closed,
    send: (frame) => socket.send(encodeCallerFrame(frame)),
    sendRaw: (text) => socket.send(text),
    elapsedMs: () => performance.now() - started,
    close: () => socket.close(1000),
    async next(timeoutMs = 2000) {
      const deadline = performance.now() + timeoutMs;
      while (taken >= frames.length) {
        const left = deadline - performance.now();
        if (left <= 0 || socket.readyState === WebSocket.CLOSED) {
          throw new Error(`no agent frame within ${timeoutMs} ms (socket state ${socket.readyState})`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
          void closed.then(() => resolve());
        });
      }
      const frame = frames[taken++];
      if (!frame) throw new Error("frame queue out of step");
      return frame;
    },
    async expectQuiet(ms) {
      const before = frames.length;
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (frames.length > before)
        throw new Error(`unexpected agent frame: ${frames[before]?.raw.slice(0, 200)}`);
    },
  };

  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve(connection));
    // An HTTP refusal arrives as an error "Unexpected server response: <status>".
    socket.on("error", reject);
  });
}

/** The decoded event of a frame, or a test failure quoting why it did not decode. */
export function eventOf(frame: ReceivedFrame) {
  if (!frame.decoded.ok) throw new Error(`agent frame did not decode: ${frame.decoded.error}`);
  return frame.decoded.event;
}
