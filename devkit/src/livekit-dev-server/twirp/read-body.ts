import type { IncomingMessage } from "node:http";
import { TwirpError } from "./twirp-error.ts";

/**
 * Reads a request body up to `maxBytes` within `timeoutMs`, so an oversized or trickling
 * client is refused instead of holding memory or a socket.
 */
export function readBody(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(new TwirpError("malformed", `request body is larger than ${maxBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: TwirpError | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
      if (err) {
        // Stop reading the rest; the response still goes out before the socket closes.
        req.resume();
        reject(err);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes)
        finish(new TwirpError("malformed", `request body is larger than ${maxBytes} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(undefined);
    const onError = () => finish(new TwirpError("malformed", "request body could not be read"));
    const onAborted = () => finish(new TwirpError("malformed", "client aborted the request body"));
    const timer = setTimeout(
      () => finish(new TwirpError("malformed", `request body did not arrive within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}
