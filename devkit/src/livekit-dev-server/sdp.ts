/** The few facts the server needs from an SDP; everything else is werift's job. */
export interface MediaSection {
  kind: string;
  port: number;
  mid: string | undefined;
  direction: "sendrecv" | "sendonly" | "recvonly" | "inactive";
  /** Track id from `a=msid:<stream> <track>`; rtc-node puts the AddTrack cid there. */
  msidTrack: string | undefined;
}

const DIRECTIONS = new Set(["sendrecv", "sendonly", "recvonly", "inactive"]);

export function parseMediaSections(sdp: string): MediaSection[] {
  const sections: MediaSection[] = [];
  let current: MediaSection | undefined;
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("m=")) {
      const [kind = "", port = "0"] = line.slice(2).split(" ");
      current = {
        kind,
        port: Number.parseInt(port, 10) || 0,
        mid: undefined,
        direction: "sendrecv",
        msidTrack: undefined,
      };
      sections.push(current);
    } else if (current && line.startsWith("a=mid:")) {
      current.mid = line.slice(6);
    } else if (current && line.startsWith("a=msid:")) {
      const parts = line.slice(7).split(" ");
      current.msidTrack = parts[1] ?? parts[0];
    } else if (current && line.startsWith("a=") && DIRECTIONS.has(line.slice(2))) {
      current.direction = line.slice(2) as MediaSection["direction"];
    }
  }
  return sections;
}

/** Does the remote side of this offer section send media to us? */
export function remoteSends(section: MediaSection): boolean {
  return section.port !== 0 && (section.direction === "sendrecv" || section.direction === "sendonly");
}

/**
 * werift answers sections it has nothing for with port 0 (rejected). libwebrtc then drops them
 * from the bundle and, after rtc-node's /rtc/v1 fallback left recvonly audio+video sections on
 * the publisher PC, never connects the bundled transport. Keep such sections alive as inactive
 * on port 9 (the "discard" port conventionally used with ICE) and inside the BUNDLE group.
 */
export function keepRejectedSectionsBundled(offerSdp: string, answerSdp: string): string {
  const offered = parseMediaSections(offerSdp);
  const eol = answerSdp.includes("\r\n") ? "\r\n" : "\n";
  const lines = answerSdp.split(/\r?\n/);
  const out: string[] = [];
  const revived: string[] = [];
  let index = -1;
  let reviving = false;
  let sawDirection = true;
  for (const line of lines) {
    if (line.startsWith("m=")) {
      if (reviving && !sawDirection) out.push("a=inactive");
      index += 1;
      const parts = line.split(" ");
      const offer = offered[index];
      reviving = parts[1] === "0" && offer !== undefined && offer.port !== 0;
      sawDirection = false;
      if (reviving) {
        parts[1] = "9";
        if (offer?.mid !== undefined) revived.push(offer.mid);
        out.push(parts.join(" "));
        continue;
      }
    } else if (reviving && line.startsWith("a=") && DIRECTIONS.has(line.slice(2))) {
      sawDirection = true;
      out.push("a=inactive");
      continue;
    } else if (reviving && line === "" && !sawDirection) {
      // End of the SDP: the revived section had no direction line; make it explicit.
      sawDirection = true;
      out.push("a=inactive");
    }
    out.push(line);
  }
  if (reviving && !sawDirection) out.push("a=inactive");
  const result = out.map((line) => {
    if (!line.startsWith("a=group:BUNDLE")) return line;
    const mids = line.split(" ").slice(1);
    for (const mid of revived) if (!mids.includes(mid)) mids.push(mid);
    return `a=group:BUNDLE ${mids.join(" ")}`;
  });
  return result.join(eol);
}

export const MAX_SDP_BYTES = 128 * 1024;

/**
 * Cheap structural check before werift sees a client SDP: werift accepts some nonsense silently
 * and hangs on other nonsense, so anything that is not plausibly an SDP is refused up front.
 */
export function sdpProblem(sdp: string): string | undefined {
  if (sdp.length > MAX_SDP_BYTES) return `SDP is longer than ${MAX_SDP_BYTES} bytes`;
  if (!sdp.startsWith("v=0")) return "SDP must start with v=0";
  const sections = parseMediaSections(sdp);
  if (sections.length === 0) return "SDP has no m= section";
  if (sections.length > 64) return "SDP has more than 64 m= sections";
  if (sections.some((s) => s.mid === undefined)) return "every m= section needs a=mid";
  if (!/^a=fingerprint:/m.test(sdp) || !/^a=ice-ufrag:/m.test(sdp))
    return "SDP lacks ICE credentials or a DTLS fingerprint";
  return undefined;
}
