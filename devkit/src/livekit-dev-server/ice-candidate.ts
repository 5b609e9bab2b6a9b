import type { RTCPeerConnection } from "werift";
import { z } from "zod";

/** Remote candidates accepted per peer connection; more is a hostile or broken client. */
export const MAX_REMOTE_CANDIDATES = 64;

/** The JSON inside TrickleRequest.candidateInit, both directions. */
const candidateInitSchema = z.object({
  candidate: z.string().max(1024),
  sdpMid: z.string().max(64).nullish(),
  sdpMLineIndex: z.number().int().min(0).max(1024).nullish(),
  usernameFragment: z.string().max(256).nullish(),
});

export type CandidateInit = z.infer<typeof candidateInitSchema>;

export function parseCandidateInit(json: string): CandidateInit | undefined {
  if (json.length > 4096) return undefined;
  try {
    const parsed = candidateInitSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * rtc-node unwraps this JSON and the candidate without checks: a missing `sdpMid` or a
 * non-integer index crashes the client process, so only complete candidates are sent.
 */
export function encodeCandidateInit(c: {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}): string | undefined {
  if (!c.candidate || typeof c.sdpMid !== "string" || !Number.isInteger(c.sdpMLineIndex)) return undefined;
  return JSON.stringify({ candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex });
}

/**
 * Whether a trickled candidate can ever pair with ours: werift's ICE agent gathers UDP only
 * (`iceUseTcp` is off) and pairs a remote candidate only with a local one of the same transport.
 * libwebrtc trickles TCP candidates for every section until the answer bundles them, and
 * re-gathers them: rtc-node sent 232 TCP and 18 UDP candidates in one second in a three-party
 * room. Queued behind a loaded event loop they reached the signal queue's limit and ended a
 * healthy session ("too many signal requests queued", lifecycle.media.test.ts under load).
 * Dropping them before the queue changes nothing else: they could never be used.
 */
export function isUsableCandidate(json: string): boolean {
  const init = parseCandidateInit(json);
  if (!init) return true; // malformed: let the queue's handler ignore it in order, as before
  const transport = init.candidate.split(" ")[2];
  return transport === undefined || transport.toLowerCase() !== "tcp";
}

/** Adds one trickled candidate; malformed JSON and the end-of-candidates marker are ignored. */
export async function addRemoteCandidate(pc: RTCPeerConnection, json: string): Promise<void> {
  const init = parseCandidateInit(json);
  if (!init || init.candidate === "") return;
  await pc.addIceCandidate({
    candidate: init.candidate,
    ...(init.sdpMid != null ? { sdpMid: init.sdpMid } : {}),
    ...(init.sdpMLineIndex != null ? { sdpMLineIndex: init.sdpMLineIndex } : {}),
  });
}
