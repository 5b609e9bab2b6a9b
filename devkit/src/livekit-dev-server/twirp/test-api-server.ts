import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type DisconnectReason, ParticipantInfo, ParticipantInfo_State } from "@livekit/protocol";
import { AgentDispatcher, type DispatcherLimits } from "../agents/index.ts";
import { type ParticipantSession, RoomRegistry } from "../room-registry.ts";
import { createTwirpHandler } from "./twirp-handler.ts";

export const TEST_KEY = "test-key";
export const TEST_SECRET = "test-secret-that-is-long-enough-0123456789";

export interface ApiTestServer {
  url: string;
  registry: RoomRegistry;
  agents: AgentDispatcher;
  /** Puts a participant in a room the way the signalling layer does, without WebRTC. */
  join(room: string, identity: string): FakeSession;
  close(): Promise<void>;
}

/** A participant session that records how the server ended it (the signalling port's fake). */
export class FakeSession implements ParticipantSession {
  closedWith: DisconnectReason | undefined;
  readonly info: ParticipantInfo;
  constructor(identity: string) {
    this.info = new ParticipantInfo({
      sid: `PA_${identity}`,
      identity,
      state: ParticipantInfo_State.ACTIVE,
      joinedAt: BigInt(Math.floor(Date.now() / 1000)),
    });
  }
  close(reason: DisconnectReason): void {
    this.closedWith = reason;
  }
  roomUpdated(): void {}
}

/**
 * The Server API pieces on a plain loopback HTTP server with a real RoomRegistry: what the
 * Twirp, agent and webhook tests need, without the WebRTC side of the dev server.
 */
export async function startApiTestServer(
  opts: { limits?: Partial<DispatcherLimits>; registry?: RoomRegistry } = {},
): Promise<ApiTestServer> {
  const keys = new Map([[TEST_KEY, TEST_SECRET]]);
  const registry = opts.registry ?? new RoomRegistry();
  let wsUrl = "";
  const agents = new AgentDispatcher({
    registry,
    keys,
    wsUrl: () => wsUrl,
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
  const twirp = createTwirpHandler({ registry, keys, agents });
  const server = createServer((req, res) => {
    if ((req.url ?? "").startsWith("/twirp/")) void twirp(req, res);
    else res.writeHead(404).end();
  });
  server.on("upgrade", (req, socket, head) => {
    if ((req.url ?? "").split("?")[0] === "/agent") agents.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  wsUrl = `ws://127.0.0.1:${port}`;
  return {
    url: `http://127.0.0.1:${port}`,
    registry,
    agents,
    join(room, identity) {
      const session = new FakeSession(identity);
      const admitted = registry.admit(room, session, { autoCreate: true });
      if (!admitted.ok) throw new Error(admitted.message);
      return session;
    },
    async close() {
      registry.closeAll();
      await agents.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
