/**
 * The outbound X-RUBRIC socket from a Durable Object: workerd opens a client WebSocket as a
 * fetch with `Upgrade: websocket` (custom headers allowed, which `new WebSocket(url)` cannot
 * send), on the http(s) spelling of the URL. Each socket event becomes one session event.
 */
import type { WebSocket as WorkersSocket, fetch as workersFetchType } from "@cloudflare/workers-types";
import { displayUrl } from "@spar/protocol";
import type { SessionEvent } from "../../text-session/session-types.ts";

/** The program is type-checked with Node's globals; at run time `fetch` is workerd's. */
const workersFetch = fetch as unknown as typeof workersFetchType;

/** A socket event as the session core reads it (without its time, which the caller stamps). */
export type SocketEvent =
  | { type: "connect_failed"; detail: string }
  | { type: "frame"; data: string | Uint8Array }
  | { type: "closed"; code: number; reason: string; clean: boolean };

export type StampedEvent = Extract<SessionEvent, { type: SocketEvent["type"] }>;

export interface AgentSocket {
  send(data: string): void;
  /** Closes with the core's code; codes workerd refuses from a client fall back to 1000. */
  close(code: number, reason: string): void;
}

/**
 * Connects and reports every later event through `on`; resolves with the socket once open (the
 * caller stores it, then reports `connected`, so a reply can always be sent), or with undefined
 * after reporting `connect_failed`.
 */
export async function openAgentSocket(
  url: string,
  headers: Record<string, string>,
  on: (event: SocketEvent) => void,
): Promise<AgentSocket | undefined> {
  let ws: WorkersSocket;
  try {
    const res = await workersFetch(url.replace(/^ws/i, "http"), {
      headers: { ...headers, Upgrade: "websocket" },
      redirect: "manual",
    });
    if (res.webSocket === null) {
      await res.body?.cancel();
      on({
        type: "connect_failed",
        detail: `the agent answered HTTP ${res.status} instead of upgrading to WebSocket`,
      });
      return undefined;
    }
    ws = res.webSocket;
    ws.accept();
  } catch (e) {
    on({ type: "connect_failed", detail: `could not connect to ${displayUrl(url)}: ${message(e)}` });
    return undefined;
  }
  ws.addEventListener("message", (event) => {
    const data = event.data;
    on({ type: "frame", data: typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer) });
  });
  ws.addEventListener("close", (event) => {
    on({ type: "closed", code: event.code, reason: event.reason, clean: event.code !== 1006 });
  });
  // An error is followed by close (1006), which the core reads as a drop.
  return {
    send: (data) => ws.send(data),
    close: (code, reason) => {
      try {
        ws.close(code, reason);
      } catch {
        try {
          ws.close(1000, reason);
        } catch {
          // Already closing or closed: nothing left to release.
        }
      }
    },
  };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
