import type { IncomingMessage, ServerResponse } from "node:http";
import type { AgentDispatcher } from "../agents/index.ts";
import type { RoomRegistry } from "../room-registry.ts";

export interface TwirpDeps {
  registry: RoomRegistry;
  keys: ReadonlyMap<string, string>;
  agents: AgentDispatcher;
}

/** Placeholder committed early so the server can mount it; the services follow. */
export function createTwirpHandler(
  deps: TwirpDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  void deps;
  return async (_req, res) => {
    res.writeHead(501, { "content-type": "application/json" });
    res.end(JSON.stringify({ code: "unimplemented", msg: "not yet implemented" }));
  };
}
