/**
 * The reference bot runner: one HTTP server with the endpoint of every vendor contract that
 * starts a voice bot in a LiveKit room (spec/voice-livekit.md). Each endpoint starts the
 * reference voice bot; copy the folder and swap `startBot` for your own bot.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { RoomServiceClient, TwirpError } from "livekit-server-sdk";
import type { z } from "zod";
import { secretMatches } from "../reference-text-agent/secret.ts";
import { startReferenceVoiceBot } from "../reference-voice-bot/index.ts";
import {
  type BotCall,
  BotFleet,
  type BotOptionsHook,
  type BotSettings,
  botCallOf,
  FleetFullError,
  type StartBot,
} from "./bot-fleet.ts";
import {
  COVAL_TOKEN_RESPONSE,
  createAndJoinRequestSchema,
  describeIssues,
  sessionRequestSchema,
  type TokenResponseShape,
  tokenRequestSchema,
  tokenResponseOf,
} from "./contracts.ts";
import { HttpError, readJsonBody, sendError, sendJson } from "./http-io.ts";
import { mintJoinToken, readJoinClaims, sameLivekitServer } from "./livekit-tokens.ts";
import type { CallEnd } from "./room-watch.ts";

/** The caller identity RubricHQ's client mode documents. */
export const RUBRIC_CALLER_IDENTITY = "rubric-test-caller";

export interface ReferenceBotRunnerOptions {
  /** The LiveKit project the runner creates rooms on and mints tokens for. */
  livekitUrl: string;
  apiKey: string;
  apiSecret: string;
  /** 0 or absent: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Options for every bot (default latency 600 ms). */
  bot?: BotSettings;
  /** Per-call options from what the request carried (run id, metadata, `text_mode`). */
  botOptionsFor?: BotOptionsHook;
  /** When set, every request must carry `Authorization: Bearer <this>`. */
  requireBearer?: string;
  /** Field names of the token endpoint's answer (default Coval's: token, serverUrl, room_name). */
  tokenResponse?: TokenResponseShape;
  /** LiveKit servers `/api/session` may send the bot to (default: `livekitUrl` only). */
  sessionServers?: readonly string[];
  /** The bot's identity in rooms the runner mints tokens for. */
  botIdentity?: string;
  /** How often the Server API is asked whether a call is over (default 2000 ms). */
  pollMs?: number;
  /** A bot leaves after this long whatever happens (default 15 minutes). */
  maxCallMs?: number;
  /** Bots at once (default 20); more get 503. */
  maxBots?: number;
  /** Largest accepted request body (default 64 KiB). */
  maxBodyBytes?: number;
  startBot?: StartBot;
  log?: (line: string) => void;
  onBotEnded?: (call: BotCall, reason: CallEnd | "runner_closed") => void;
}

export interface ReferenceBotRunner {
  /** `http://host:port`; the endpoints are `/api/create-and-join`, `/api/session`, `/token`. */
  readonly url: string;
  /** The calls whose bots are running now. */
  readonly running: BotCall[];
  /** Stops every bot, then the server. */
  close(): Promise<void>;
}

const BODY_TIMEOUT_MS = 10_000;

export async function startReferenceBotRunner(
  options: ReferenceBotRunnerOptions,
): Promise<ReferenceBotRunner> {
  const log = options.log ?? (() => {});
  const botIdentity = options.botIdentity ?? "reference-voice-bot";
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const sessionServers = options.sessionServers ?? [options.livekitUrl];
  const rooms = new RoomServiceClient(options.livekitUrl, options.apiKey, options.apiSecret);
  const fleet = new BotFleet({
    startBot: options.startBot ?? startReferenceVoiceBot,
    bot: options.bot ?? {},
    botOptionsFor: options.botOptionsFor,
    listerFor: (url) =>
      sameLivekitServer(url, options.livekitUrl)
        ? rooms
        : new RoomServiceClient(url, options.apiKey, options.apiSecret),
    pollMs: options.pollMs ?? 2000,
    maxCallMs: options.maxCallMs ?? 15 * 60_000,
    maxBots: options.maxBots ?? 20,
    log,
    ...(options.onBotEnded ? { onBotEnded: options.onBotEnded } : {}),
  });
  const mint = (identity: string, room: string) =>
    mintJoinToken({ apiKey: options.apiKey, apiSecret: options.apiSecret, identity, room });

  const decode = async <S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.output<S>> => {
    const parsed = schema.safeParse(await readJsonBody(req, maxBodyBytes, BODY_TIMEOUT_MS));
    if (!parsed.success) throw new HttpError(400, "invalid_request", describeIssues(parsed.error));
    return parsed.data;
  };

  const startBot = async (call: BotCall, where: { url: string; token: string }) => {
    try {
      await fleet.start(call, where);
    } catch (err) {
      if (err instanceof FleetFullError) throw new HttpError(503, "busy", err.message);
      log(`bot could not join ${call.roomName}: ${String(err)}`);
      throw new HttpError(
        502,
        "bot_failed",
        `the bot could not join room "${call.roomName}": ${messageOf(err)}`,
      );
    }
  };

  const createRoom = async (name: string, metadata?: string) => {
    try {
      await rooms.createRoom({ name, emptyTimeout: 300, ...(metadata ? { metadata } : {}) });
    } catch (err) {
      throw new HttpError(
        502,
        "room_create_failed",
        `LiveKit refused to create room "${name}": ${messageOf(err)}`,
      );
    }
  };

  const routes: Record<string, (req: IncomingMessage) => Promise<unknown>> = {
    /** RubricHQ "you create rooms": a fresh room, the bot in it, a token for the caller. */
    "/api/create-and-join": async (req) => {
      const body = await decode(req, createAndJoinRequestSchema);
      const roomName = `client-${randomBytes(4).toString("hex")}`;
      await createRoom(roomName, JSON.stringify({ rubric_run_id: body.rubric_run_id, ...body.metadata }));
      const call = botCallOf("create_and_join", roomName, botIdentity, body.metadata, body.rubric_run_id);
      try {
        await startBot(call, { url: options.livekitUrl, token: await mint(botIdentity, roomName) });
      } catch (err) {
        await rooms.deleteRoom(roomName).catch(() => undefined);
        throw err;
      }
      return {
        room_name: roomName,
        room_url: options.livekitUrl,
        token: await mint(RUBRIC_CALLER_IDENTITY, roomName),
      };
    },
    /** RubricHQ "we create rooms": join the platform's room with the token it minted for the bot. */
    "/api/session": async (req) => {
      const body = await decode(req, sessionRequestSchema);
      const claims = readJoinClaims(body.bot_token);
      if (!claims.ok) throw new HttpError(400, "invalid_request", `bot_token ${claims.message}`);
      const { identity, room } = claims.claims;
      if (room !== undefined && room !== body.room_name) {
        throw new HttpError(
          400,
          "invalid_request",
          `bot_token grants room "${room}" but room_name is "${body.room_name}": send the token minted for that room`,
        );
      }
      if (!sessionServers.some((s) => sameLivekitServer(s, body.livekit_url))) {
        throw new HttpError(
          400,
          "invalid_request",
          `livekit_url ${body.livekit_url} is not a server this runner joins (${sessionServers.join(", ")}); add it to sessionServers`,
        );
      }
      if (!fleet.has(body.room_name, identity)) {
        await startBot(botCallOf("session", body.room_name, identity, {}), {
          url: body.livekit_url,
          token: body.bot_token,
        });
      }
      return { status: "started", room_name: body.room_name };
    },
    /** Coval-style token endpoint: a token for the caller, and the bot dispatched to the same room. */
    "/token": async (req) => {
      const body = await decode(req, tokenRequestSchema);
      if (body.participant_name === botIdentity) {
        throw new HttpError(
          400,
          "invalid_request",
          `participant_name "${botIdentity}" is the bot's own identity: pick another name for the caller`,
        );
      }
      if (!fleet.has(body.room_name, botIdentity)) {
        await createRoom(body.room_name);
        await startBot(botCallOf("token", body.room_name, botIdentity, body.extra), {
          url: options.livekitUrl,
          token: await mint(botIdentity, body.room_name),
        });
      }
      return tokenResponseOf(options.tokenResponse ?? COVAL_TOKEN_RESPONSE, {
        token: await mint(body.participant_name, body.room_name),
        serverUrl: options.livekitUrl,
        roomName: body.room_name,
      });
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://runner.invalid").pathname;
    const route = routes[path];
    if (!route)
      throw new HttpError(404, "not_found", `no endpoint ${path}; POST ${Object.keys(routes).join(", ")}`);
    if (req.method !== "POST") throw new HttpError(405, "method_not_allowed", `${path} takes POST`);
    if (options.requireBearer !== undefined) {
      const auth = req.headers.authorization;
      const given = auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length) : undefined;
      if (!secretMatches(given, options.requireBearer)) {
        throw new HttpError(401, "unauthorized", "send Authorization: Bearer <the runner's token>");
      }
    }
    sendJson(res, 200, await route(req));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!(err instanceof HttpError)) log(`internal error on ${req.url}: ${String(err)}`);
      const httpError = err instanceof HttpError ? err : new HttpError(500, "internal", "internal error");
      if (httpError.status === 401) res.setHeader("www-authenticate", "Bearer");
      sendError(res, httpError);
    });
  });
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("bot runner has no TCP address");
  const host = address.address.includes(":") ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    get running() {
      return fleet.running;
    },
    async close() {
      await fleet.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

function messageOf(err: unknown): string {
  if (err instanceof TwirpError)
    return `${err.status} ${err.code ?? ""} ${err.message}`.replace(/\s+/g, " ").trim();
  return err instanceof Error ? err.message : String(err);
}
