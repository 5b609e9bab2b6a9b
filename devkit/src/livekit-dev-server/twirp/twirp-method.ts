import type { VideoGrant } from "../token-claims.ts";
import { TwirpError } from "./twirp-error.ts";

/** What Twirp needs from a request message class of `@livekit/protocol` (protobuf-es). */
export interface RequestType<T> {
  readonly typeName: string;
  fromJsonString(json: string, options?: { ignoreUnknownFields?: boolean }): T;
  fromBinary(bytes: Uint8Array): T;
}

/** What Twirp needs from a response message. */
export interface ResponseMessage {
  toJsonString(): string;
  toBinary(): Uint8Array;
}

export type WireFormat = "json" | "protobuf";

/** One RPC: decodes its own request, then acts on it for an authenticated caller. */
export type TwirpMethod = (body: Buffer, format: WireFormat, grant: VideoGrant) => Promise<ResponseMessage>;

/** Pairs a request type with its handler; decoding happens here so handlers get typed messages. */
export function method<T>(
  request: RequestType<T>,
  run: (req: T, grant: VideoGrant) => ResponseMessage | Promise<ResponseMessage>,
): TwirpMethod {
  return async (body, format, grant) => run(decode(request, body, format), grant);
}

function decode<T>(request: RequestType<T>, body: Buffer, format: WireFormat): T {
  try {
    if (format === "protobuf") return request.fromBinary(body);
    // Twirp servers discard unknown JSON fields, so newer SDKs keep working against this server.
    return request.fromJsonString(body.length === 0 ? "{}" : body.toString("utf8"), {
      ignoreUnknownFields: true,
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new TwirpError(
      "malformed",
      `request body is not a valid ${request.typeName} (${format}): ${reason}`,
    );
  }
}
