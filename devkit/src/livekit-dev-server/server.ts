import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { AgentDispatcher } from "./agents/index.ts";
import { installDtlsSequenceFix } from "./dtls-sequence-fix.ts";
import { decideJoin } from "./join-auth.ts";
import { RoomRegistry } from "./room-registry.ts";
import { RtcSession } from "./rtc-session.ts";
import { MAX_SIGNAL_FRAME_BYTES } from "./signal-channel.ts";
import { createTwirpHandler } from "./twirp/index.ts";
import { raiseUdpReceiveBuffers } from "./udp-buffers.ts";
import { startWebhooks } from "./webhooks.ts";

export interface LiveKitDevServerOptions {
  /**
   * Patch werift's DTLS record counter (dtls-sequence-fix.ts) so the first data record after the
   * handshake is not dropped as a replay (a ~1 s stall). Off by default: with it on, two of three
   * clean-clone CI runs had an rtc-node process die of native heap corruption ("free(): corrupted
   * unsorted chunks"), never seen in the twelve runs before it; the cause is not found yet.
   */
  dtlsSequenceFix?: boolean;
  port?: number;
  host?: string;
  keys: ReadonlyMap<string, string>;
  /** The address announced in ICE candidates; unset = every non-loopback IPv4 interface. */
  iceIp?: string;
  webhookUrl?: string;
  /** livekit-server creates a missing room when someone joins it; so does this server by default. */
  autoCreateRooms?: boolean;
  /** Every participant gets a built-in echo agent that plays its audio back this many ms later (echo-agent.ts). */
  echoAgentMs?: number;
  /**
   * Receive buffer every UDP socket of this process asks for (udp-buffers.ts), as livekit-server
   * does; unset = the kernel default. For many concurrent calls (bench/voice-load).
   */
  udpReceiveBufferBytes?: number;
}

export interface LiveKitDevServer {
  url: string;
  httpUrl: string;
  registry: RoomRegistry;
  close(): Promise<void>;
}

const MAX_URL_LENGTH = 8 * 1024;

/**
 * A LiveKit-protocol-compatible server for tests and demos (audio + data, one process). Users run
 * LiveKit Cloud or their own livekit-server; this exists so the real clients can be exercised here.
 */
export async function startLiveKitDevServer(opts: LiveKitDevServerOptions): Promise<LiveKitDevServer> {
  if (opts.keys.size === 0) throw new Error("keys: at least one API key:secret pair is required");
  if (opts.dtlsSequenceFix) installDtlsSequenceFix();
  const host = opts.host ?? "127.0.0.1";
  if (opts.udpReceiveBufferBytes !== undefined) raiseUdpReceiveBuffers(opts.udpReceiveBufferBytes);
  const autoCreateRooms = opts.autoCreateRooms ?? true;
  const registry = new RoomRegistry();
  let wsUrl = "";
  const agents = new AgentDispatcher({ registry, keys: opts.keys, wsUrl: () => wsUrl });
  const twirp = createTwirpHandler({ registry, keys: opts.keys, agents });
  const stopWebhooks = opts.webhookUrl
    ? startWebhooks(registry, {
        url: opts.webhookUrl,
        apiKey: firstKey(opts.keys)[0],
        apiSecret: firstKey(opts.keys)[1],
      })
    : () => {};
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_SIGNAL_FRAME_BYTES });
  const joinDeps = { keys: opts.keys, registry, autoCreateRooms };
  const sessionDeps = {
    registry,
    iceIp: opts.iceIp,
    autoCreateRooms,
    now: () => Date.now(),
    echoAgentMs: opts.echoAgentMs,
  };

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((err: unknown) => {
      console.error("[livekit-dev-server] request failed:", err);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error");
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseUrl(req);
    if (!url) return void text(res, 414, "URL too long");
    if (url.pathname.startsWith("/twirp/")) return twirp(req, res);
    if (url.pathname === "/rtc/validate" || url.pathname === "/rtc/v1/validate") {
      const decision = await decideJoin(
        { authorization: req.headers.authorization, query: url.searchParams },
        joinDeps,
      );
      return decision.ok ? text(res, 200, "success") : text(res, decision.status, decision.message);
    }
    if (url.pathname === "/") return text(res, 200, "OK");
    text(res, 404, "not found");
  }

  server.on("upgrade", (req, socket, head) => {
    socket.on("error", () => socket.destroy());
    handleUpgrade(req, socket, head).catch((err: unknown) => {
      console.error("[livekit-dev-server] upgrade failed:", err);
      refuse(socket, 500, "internal error");
    });
  });

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = parseUrl(req);
    if (!url) return refuse(socket, 414, "URL too long");
    // rtc-node tries single-PC signalling first; a 404 makes it fall back to classic /rtc.
    if (url.pathname === "/rtc/v1")
      return refuse(socket, 404, "single peer connection mode is not supported");
    if (url.pathname === "/agent") return agents.handleUpgrade(req, socket, head);
    if (url.pathname !== "/rtc") return refuse(socket, 404, "not found");
    if (url.searchParams.get("reconnect") === "1") {
      return refuse(socket, 404, "resuming a session is not supported by the dev server; join again");
    }
    const decision = await decideJoin(
      { authorization: req.headers.authorization, query: url.searchParams },
      joinDeps,
    );
    if (!decision.ok) return refuse(socket, decision.status, decision.message);
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      try {
        new RtcSession(ws, decision.ticket, sessionDeps);
      } catch (err) {
        console.error("[livekit-dev-server] session start failed:", err);
        ws.close(1011, "session start failed");
      }
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  wsUrl = `ws://${urlHost}:${port}`;
  const httpUrl = `http://${urlHost}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: wsUrl,
    httpUrl,
    registry,
    close: () => {
      closing ??= (async () => {
        stopWebhooks();
        registry.closeAll();
        await agents.close();
        for (const client of wss.clients) client.terminate();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

function firstKey(keys: ReadonlyMap<string, string>): [string, string] {
  const first = keys.entries().next();
  if (first.done) throw new Error("keys: at least one API key:secret pair is required");
  return first.value;
}

function parseUrl(req: IncomingMessage): URL | undefined {
  const raw = req.url ?? "/";
  if (raw.length > MAX_URL_LENGTH) return undefined;
  try {
    return new URL(raw, "http://localhost");
  } catch {
    return undefined;
  }
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(body);
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  414: "URI Too Long",
  500: "Internal Server Error",
};

function refuse(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = Buffer.from(message);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${body.length}\r\n\r\n${message}`,
  );
}
