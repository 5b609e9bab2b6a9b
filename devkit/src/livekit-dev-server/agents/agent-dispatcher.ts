import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { RoomRegistry } from "../room-registry.ts";

export interface AgentDispatcherDeps {
  registry: RoomRegistry;
  keys: ReadonlyMap<string, string>;
  /** Base ws:// URL of the dev server, handed to workers in job assignments. */
  wsUrl: () => string;
}

/** Placeholder committed early so the server can wire it in; the worker protocol follows. */
export class AgentDispatcher {
  constructor(private readonly deps: AgentDispatcherDeps) {}

  handleUpgrade(_req: IncomingMessage, socket: Duplex, _head: Buffer): void {
    socket.end("HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n\r\n");
  }

  async close(): Promise<void> {
    void this.deps;
  }
}
