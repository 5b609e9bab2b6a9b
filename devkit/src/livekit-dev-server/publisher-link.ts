import { RTCPeerConnection, type RTCRtpTransceiver, type RtpPacket } from "werift";
import { addRemoteCandidate, encodeCandidateInit, MAX_REMOTE_CANDIDATES } from "./ice-candidate.ts";
import { peerConfig } from "./peer-config.ts";
import { keepRejectedSectionsBundled, parseMediaSections, remoteSends } from "./sdp.ts";

export interface PublisherLinkEvents {
  /** A media section started sending; `trackId` is its msid track id (the AddTrack cid). */
  mediaStarted(mid: string, trackId: string): void;
  /** A section that used to send no longer does (client unpublished). */
  mediaStopped(mid: string): void;
  /** RTP arriving on a section's receiver, tagged with the section's mid. */
  rtp(mid: string, packet: RtpPacket): void;
  data(bytes: Buffer, reliable: boolean): void;
  candidate(json: string): void;
}

/** The PC the client publishes on: the client offers, the server answers. */
export class PublisherLink {
  readonly pc: RTCPeerConnection;
  readonly #events: PublisherLinkEvents;
  readonly #sending = new Map<string, string>(); // mid -> msid track id
  readonly #attached = new Set<RTCRtpTransceiver>();
  #candidates = 0;

  constructor(iceIp: string | undefined, events: PublisherLinkEvents) {
    this.#events = events;
    this.pc = new RTCPeerConnection(peerConfig(iceIp));
    this.pc.onIceCandidate.subscribe((c) => {
      const json = c ? encodeCandidateInit(c) : undefined;
      if (json) events.candidate(json);
    });
    this.pc.onDataChannel.subscribe((dc) => {
      const reliable = dc.label === "_reliable";
      if (dc.label !== "_reliable" && dc.label !== "_lossy") return;
      dc.onMessage.subscribe((msg) => {
        if (Buffer.isBuffer(msg)) events.data(msg, reliable);
      });
    });
  }

  /** Applies a client offer and returns the answer SDP. */
  async answer(offerSdp: string): Promise<string> {
    const sections = parseMediaSections(offerSdp);
    const nowSending = new Map<string, string>();
    for (const s of sections) {
      if (s.mid !== undefined && s.msidTrack !== undefined && s.kind === "audio" && remoteSends(s)) {
        nowSending.set(s.mid, s.msidTrack);
      }
    }
    await this.pc.setRemoteDescription({ type: "offer", sdp: offerSdp });
    for (const mid of [...this.#sending.keys()]) {
      if (!nowSending.has(mid)) {
        this.#sending.delete(mid);
        this.#events.mediaStopped(mid);
      }
    }
    for (const [mid, trackId] of nowSending) {
      if (this.#sending.get(mid) === trackId) continue;
      this.#sending.set(mid, trackId);
      const transceiver = this.pc.getTransceivers().find((t) => t.mid === mid);
      if (!transceiver) continue;
      this.#attach(transceiver, mid);
      this.#events.mediaStarted(mid, trackId);
    }
    const answer = await this.pc.createAnswer();
    const local = await this.pc.setLocalDescription(answer);
    return keepRejectedSectionsBundled(offerSdp, local.toSdp().sdp);
  }

  async addCandidate(json: string): Promise<void> {
    if (++this.#candidates > MAX_REMOTE_CANDIDATES) return;
    await addRemoteCandidate(this.pc, json);
  }

  #attach(transceiver: RTCRtpTransceiver, mid: string): void {
    // A transceiver keeps its receiver track across renegotiations: subscribe once; the session
    // maps the mid to whatever track is published on it right now.
    if (this.#attached.has(transceiver)) return;
    this.#attached.add(transceiver);
    transceiver.receiver.track.onReceiveRtp.subscribe((packet) => this.#events.rtp(mid, packet));
  }

  async close(): Promise<void> {
    await this.pc.close();
  }
}
