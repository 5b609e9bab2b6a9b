/**
 * The reference X-RUBRIC text agent: a WebSocket server on node:http that validates the
 * secret, routes to a bot and bridges frames (docs/text-protocol.md). Started by tests and by
 * `devkit/bin/reference-text-agent.mjs`.
 */
import { createServer, type IncomingMessage, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { parseBehavior } from "./behavior.ts";
import { createMisbehavingDelivery } from "./misbehaviours.ts";
import { createBot, routeBot } from "./router.ts";
import { secretMatches } from "./secret.ts";
import { bridgeConnection, protocolDelivery } from "./x-rubric-bridge.ts";

export interface ReferenceTextAgentOptions {
  /** 0 or absent: any free port. */
  port?: number;
  /** Default 127.0.0.1: the agent is for local tests, so it is not reachable from the network. */
  host?: string;
  /** The X-RUBRIC channel secret every connection must present. */
  secret: string;
  /** One line per connection event; never carries the secret. */
  log?: (line: string) => void;
}

export interface ReferenceTextAgent {
  /** `ws://host:port`; append `/billing` or `/echo` to pick a bot by path. */
  readonly url: string;
  /** Open WebSocket connections right now. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startReferenceTextAgent(
  options: ReferenceTextAgentOptions,
): Promise<ReferenceTextAgent> {
  const host = options.host ?? "127.0.0.1";
  const log = options.log ?? (() => {});
  const server = createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain", upgrade: "websocket" });
    res.end("This is an X-RUBRIC WebSocket agent: connect with a WebSocket client.\n");
  });
  const wss = new WebSocketServer({ noServer: true });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy()); // a peer reset before the upgrade is not our failure
    const url = new URL(req.url ?? "/", "ws://agent.invalid");
    const behaviorList = [header(req, "x-spar-behavior"), url.searchParams.get("behavior") ?? ""]
      .filter((s) => s !== "")
      .join(",");
    const behavior = parseBehavior(behaviorList);
    if (behavior.ok && behavior.behavior.httpError !== undefined) {
      refuseUpgrade(socket, behavior.behavior.httpError);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("error", () => {}); // `ws` closes the socket on errors itself; unheard, an error would throw
      if (!secretMatches(header(req, "x-rubric-secret"), options.secret)) {
        log("rejected a connection: invalid secret (1008)");
        ws.close(1008, "invalid secret");
        return;
      }
      if (!behavior.ok) {
        ws.close(1011, closeReason(`invalid behavior: ${behavior.error}`));
        return;
      }
      const route = routeBot(header(req, "x-rubric-agent-id"), url.pathname);
      log(
        `connection for ${route.bot} (by ${route.routedBy})${behaviorList ? ` behavior=${behaviorList}` : ""}`,
      );
      const delivery = behaviorList === "" ? protocolDelivery : createMisbehavingDelivery(behavior.behavior);
      bridgeConnection(ws, createBot(route.bot, route.routedBy), delivery);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("agent server has no TCP address");
  const { port } = address;
  const url = `ws://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url,
    get connections() {
      return wss.clients.size;
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

/** A header's value; a header sent twice is ambiguous, so it counts as absent. */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
}

function refuseUpgrade(socket: Duplex, status: number): void {
  const body = `refused by behavior http_error:${status}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\n` +
      `Connection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** WebSocket close reasons are capped at 123 bytes. */
function closeReason(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return bytes.byteLength <= 123
    ? text
    : bytes
        .subarray(0, 120)
        .toString("utf8")
        .replace(/\uFFFD$/, "");
}
