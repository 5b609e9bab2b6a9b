import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a JSON body of at most `maxBytes` within `timeoutMs`: an oversized or trickling client
 * gets a 413/408 instead of holding memory or a socket.
 */
export function readJsonBody(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<unknown> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\b/i.test(type)) {
    return Promise.reject(
      new HttpError(
        415,
        "unsupported_media_type",
        `send the body as JSON with content-type: application/json (got "${type}")`,
      ),
    );
  }
  const declared = Number(req.headers["content-length"] ?? "0");
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(new HttpError(413, "body_too_large", `the body is larger than ${maxBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: HttpError | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      if (err) {
        req.resume();
        reject(err);
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(chunks, size).toString("utf8")));
      } catch {
        reject(new HttpError(400, "invalid_json", "the body is not valid JSON"));
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes)
        finish(new HttpError(413, "body_too_large", `the body is larger than ${maxBytes} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(undefined);
    const onError = () => finish(new HttpError(400, "invalid_body", "the body could not be read"));
    const timer = setTimeout(
      () => finish(new HttpError(408, "body_timeout", `the body did not arrive within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** `{"error": {"code", "message", "request_id"}}`, the repo's one error shape. */
export function sendError(res: ServerResponse, err: HttpError): void {
  sendJson(res, err.status, { error: { code: err.code, message: err.message, request_id: randomUUID() } });
}
