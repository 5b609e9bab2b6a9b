/**
 * A participant's own UpdateParticipantMetadata: allowed only with canUpdateOwnMetadata, refused
 * whole when metadata, name or attributes are over the limits, else applied (an empty attribute
 * value deletes it) to the participant's info in place.
 */
import {
  type ParticipantInfo,
  RequestResponse_Reason,
  type UpdateParticipantMetadata,
} from "@livekit/protocol";
import { MAX_NAME_LENGTH } from "./track-request.ts";

const MAX_METADATA_BYTES = 64 * 1024;
const MAX_ATTRIBUTES = 64;

export interface MetadataUpdateOutcome {
  reason: RequestResponse_Reason;
  message: string;
  /** Whether `info` changed (and the others must hear of it). */
  applied: boolean;
}

export function applyMetadataUpdate(
  info: ParticipantInfo,
  req: UpdateParticipantMetadata,
): MetadataUpdateOutcome {
  if (!info.permission?.canUpdateMetadata) {
    return {
      reason: RequestResponse_Reason.NOT_ALLOWED,
      message: "token lacks canUpdateOwnMetadata",
      applied: false,
    };
  }
  const attrs = Object.entries(req.attributes);
  if (
    Buffer.byteLength(req.metadata) > MAX_METADATA_BYTES ||
    req.name.length > MAX_NAME_LENGTH ||
    attrs.length > MAX_ATTRIBUTES
  ) {
    return {
      reason: RequestResponse_Reason.LIMIT_EXCEEDED,
      message: "metadata, name or attributes too large",
      applied: false,
    };
  }
  if (req.metadata) info.metadata = req.metadata;
  if (req.name) info.name = req.name;
  for (const [k, v] of attrs) {
    if (v === "") delete info.attributes[k];
    else info.attributes[k] = v;
  }
  return { reason: RequestResponse_Reason.OK, message: "", applied: true };
}
