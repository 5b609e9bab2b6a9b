/**
 * A client's AddTrackRequest turned into the TrackInfo the server announces, within the dev
 * server's limits: audio only (it forwards nothing else), a sane cid, at most
 * MAX_TRACKS_PER_PARTICIPANT tracks published or pending, names cut to MAX_NAME_LENGTH.
 */
import { type AddTrackRequest, TrackInfo, TrackType } from "@livekit/protocol";
import { newId } from "./ids.ts";

export const MAX_TRACKS_PER_PARTICIPANT = 16;
export const MAX_NAME_LENGTH = 256;
const MAX_CID_LENGTH = 256;

export type TrackRequestOutcome =
  | { ok: true; track: TrackInfo }
  /** `warn`: worth a line in the server log (a client asked for what this server does not do). */
  | { ok: false; reason: string; warn: boolean };

/** `trackCount`: the participant's published plus pending tracks. */
export function trackFromRequest(req: AddTrackRequest, trackCount: number): TrackRequestOutcome {
  if (req.type !== TrackType.AUDIO) {
    return { ok: false, reason: `only audio tracks are forwarded; ignoring ${req.cid}`, warn: true };
  }
  if (req.cid.length === 0 || req.cid.length > MAX_CID_LENGTH) {
    return { ok: false, reason: `cid must be 1 to ${MAX_CID_LENGTH} characters`, warn: false };
  }
  if (trackCount >= MAX_TRACKS_PER_PARTICIPANT) {
    return { ok: false, reason: `at most ${MAX_TRACKS_PER_PARTICIPANT} tracks per participant`, warn: false };
  }
  return {
    ok: true,
    track: new TrackInfo({
      sid: newId("TR_"),
      type: TrackType.AUDIO,
      name: req.name.slice(0, MAX_NAME_LENGTH),
      source: req.source,
      muted: req.muted,
      mimeType: "audio/opus",
      stereo: req.stereo,
      disableDtx: req.disableDtx,
      stream: req.stream.slice(0, MAX_NAME_LENGTH),
    }),
  };
}
