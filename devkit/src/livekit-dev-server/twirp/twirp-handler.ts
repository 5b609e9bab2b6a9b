import type { IncomingMessage, ServerResponse } from "node:http";
import type { AgentDispatcher } from "../agents/index.ts";
import type { RoomRegistry } from "../room-registry.ts";
import { agentDispatchService } from "./agent-dispatch-service.ts";
import { readBody } from "./read-body.ts";
import { roomService } from "./room-service.ts";
import { authenticate } from "./twirp-auth.ts";
import { TwirpError, writeTwirpError } from "./twirp-error.ts";
import type { TwirpMethod, WireFormat } from "./twirp-method.ts";

export interface TwirpDeps {
  registry: RoomRegistry;
  keys: ReadonlyMap<string, string>;
  agents: AgentDispatcher;
}

/** Server API bodies are small JSON; anything larger is a broken or hostile client. */
export const MAX_TWIRP_BODY_BYTES = 1024 * 1024;
const BODY_TIMEOUT_MS = 10_000;
const PREFIX = "/twirp/";

/**
 * Serves livekit-server's Server API over Twirp (`POST /twirp/livekit.<Service>/<Method>`),
 * JSON or protobuf. Never rejects: every failure becomes a Twirp `{code, msg}` response.
 */
export function createTwirpHandler(
  deps: TwirpDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const services: ReadonlyMap<string, Record<string, TwirpMethod>> = new Map([
    ["livekit.RoomService", roomService(deps)],
    ["livekit.AgentDispatchService", agentDispatchService(deps)],
  ]);
  return async (req, res) => {
    try {
      const rpc = route(req, services);
      const format = wireFormat(req.headers["content-type"]);
      // Authenticate before reading the body so anonymous clients cannot make us buffer 1 MiB.
      const grant = await authenticate(req, deps.keys);
      const body = await readBody(req, MAX_TWIRP_BODY_BYTES, BODY_TIMEOUT_MS);
      const reply = await rpc(body, format, grant);
      const payload = format === "json" ? Buffer.from(reply.toJsonString()) : Buffer.from(reply.toBinary());
      res.writeHead(200, {
        "content-type": format === "json" ? "application/json" : "application/protobuf",
        "content-length": payload.length,
      });
      res.end(payload);
    } catch (err) {
      // A refused request may still be sending its body: close instead of draining it.
      if (!req.complete) res.setHeader("connection", "close");
      if (err instanceof TwirpError) {
        writeTwirpError(res, err);
        return;
      }
      // Unexpected: log the cause here, tell the client nothing about internals.
      console.error("[livekit-dev-server] twirp handler failed:", err);
      writeTwirpError(res, new TwirpError("internal", "internal error"));
    }
  };
}

function route(
  req: IncomingMessage,
  services: ReadonlyMap<string, Record<string, TwirpMethod>>,
): TwirpMethod {
  const path = (req.url ?? "").split("?")[0] ?? "";
  if (req.method !== "POST") {
    throw new TwirpError("bad_route", `unsupported method ${req.method ?? "?"}: Twirp calls are POST`);
  }
  const rest = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : "";
  const [serviceName, methodName, extra] = rest.split("/");
  const service = serviceName === undefined ? undefined : services.get(serviceName);
  if (!service || methodName === undefined || extra !== undefined) {
    throw new TwirpError(
      "bad_route",
      `no service at ${path.slice(0, 200)}: this dev server serves livekit.RoomService and livekit.AgentDispatchService`,
    );
  }
  const rpc = Object.hasOwn(service, methodName) ? service[methodName] : undefined;
  if (!rpc) {
    throw new TwirpError(
      "unimplemented",
      `${serviceName}/${methodName.slice(0, 100)} is not implemented by the dev server; available: ${Object.keys(service).join(", ")}`,
    );
  }
  return rpc;
}

function wireFormat(contentType: string | undefined): WireFormat {
  const mime = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (mime === "application/json") return "json";
  if (mime === "application/protobuf") return "protobuf";
  throw new TwirpError(
    "bad_route",
    `unexpected content-type "${mime.slice(0, 100)}": send application/json or application/protobuf`,
  );
}
