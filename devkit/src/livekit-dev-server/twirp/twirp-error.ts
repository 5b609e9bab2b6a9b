import type { ServerResponse } from "node:http";

/** The Twirp error codes this server emits, with the HTTP status the Twirp spec assigns each. */
const STATUS = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  resource_exhausted: 429,
  internal: 500,
  unimplemented: 501,
} as const;

export type TwirpCode = keyof typeof STATUS;

/** An expected failure of a Twirp call; rendered as `{code, msg}` JSON, which the SDK's TwirpError reads. */
export class TwirpError extends Error {
  constructor(
    readonly code: TwirpCode,
    message: string,
  ) {
    super(message);
    this.name = "TwirpError";
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export function writeTwirpError(res: ServerResponse, err: TwirpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // The SDK compares content-type with "application/json" exactly: no charset suffix.
  const body = JSON.stringify({ code: err.code, msg: err.message });
  res.writeHead(err.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}
