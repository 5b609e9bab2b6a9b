import {
  MediaStream,
  type RTCDataChannel,
  RTCPeerConnection,
  type RTCRtpSender,
  type RtpPacket,
} from "werift";
import { addRemoteCandidate, encodeCandidateInit, MAX_REMOTE_CANDIDATES } from "./ice-candidate.ts";
import { peerConfig } from "./peer-config.ts";

/** A subscriber that stops reading must not grow the server's memory without bound. */
export const MAX_DATA_BUFFERED_BYTES = 4 * 1024 * 1024;
const NEGOTIATION_TIMEOUT_MS = 15_000;

export interface SubscriberLinkEvents {
  offer(sdp: string): void;
  candidate(json: string): void;
  connected(): void;
  failed(why: string): void;
}

/**
 * The PC the server sends on: the server offers (data channels first, then one sendonly audio
 * section per subscribed track) and renegotiates one offer at a time.
 */
export class SubscriberLink {
  readonly pc: RTCPeerConnection;
  readonly #events: SubscriberLinkEvents;
  readonly #reliable: RTCDataChannel;
  readonly #lossy: RTCDataChannel;
  readonly #senders = new Map<string, RTCRtpSender>(); // track sid -> sender
  #negotiating = false;
  #again = false;
  #negotiationTimer: ReturnType<typeof setTimeout> | undefined;
  #candidates = 0;
  #closed = false;

  constructor(iceIp: string | undefined, events: SubscriberLinkEvents) {
    this.#events = events;
    this.pc = new RTCPeerConnection(peerConfig(iceIp));
    this.#reliable = this.pc.createDataChannel("_reliable", { ordered: true });
    this.#lossy = this.pc.createDataChannel("_lossy", { ordered: false, maxRetransmits: 0 });
    this.pc.onIceCandidate.subscribe((c) => {
      const json = c ? encodeCandidateInit(c) : undefined;
      if (json) events.candidate(json);
    });
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === "connected") events.connected();
      if (state === "failed") events.failed("subscriber peer connection failed");
    });
  }

  start(): void {
    this.#negotiate();
  }

  /** Adds a sendonly audio section whose msid rtc-node maps back to participant and track. */
  addTrack(participantSid: string, trackSid: string): void {
    if (this.#closed || this.#senders.has(trackSid)) return;
    const transceiver = this.pc.addTransceiver("audio", {
      direction: "sendonly",
      streams: [new MediaStream({ id: `${participantSid}|${trackSid}` })],
    });
    // rtc-node drops tracks whose id does not start with TR_: werift's random UUID must go.
    Object.defineProperty(transceiver.sender, "trackId", {
      value: trackSid,
      writable: true,
      enumerable: true,
    });
    this.#senders.set(trackSid, transceiver.sender);
    this.#negotiate();
  }

  removeTrack(trackSid: string): void {
    const sender = this.#senders.get(trackSid);
    if (!sender || this.#closed) return;
    this.#senders.delete(trackSid);
    try {
      this.pc.removeTrack(sender);
    } catch (err) {
      console.error("[livekit-dev-server] removeTrack failed:", err);
    }
    this.#negotiate();
  }

  has(trackSid: string): boolean {
    return this.#senders.has(trackSid);
  }

  /** Forwards one RTP packet; each subscriber gets its own buffer because sendRtp rewrites it. */
  forward(trackSid: string, packet: RtpPacket): void {
    const sender = this.#senders.get(trackSid);
    if (!sender) return;
    sender.sendRtp(packet.serialize()).catch(() => {
      // Sending fails while DTLS is not up yet or after close; audio is loss-tolerant.
    });
  }

  sendData(bytes: Uint8Array, reliable: boolean): void {
    const dc = reliable ? this.#reliable : this.#lossy;
    if (dc.readyState !== "open" || dc.bufferedAmount > MAX_DATA_BUFFERED_BYTES) return;
    try {
      dc.send(Buffer.from(bytes));
    } catch (err) {
      console.error("[livekit-dev-server] data send failed:", err);
    }
  }

  async applyAnswer(sdp: string): Promise<void> {
    if (this.#closed || this.pc.signalingState !== "have-local-offer") return;
    await this.pc.setRemoteDescription({ type: "answer", sdp });
    this.#settle();
  }

  async addCandidate(json: string): Promise<void> {
    if (++this.#candidates > MAX_REMOTE_CANDIDATES) return;
    await addRemoteCandidate(this.pc, json);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#negotiationTimer) clearTimeout(this.#negotiationTimer);
    await this.pc.close();
  }

  #negotiate(): void {
    if (this.#closed) return;
    if (this.#negotiating) {
      this.#again = true;
      return;
    }
    this.#negotiating = true;
    this.#again = false;
    void this.#offer();
  }

  async #offer(): Promise<void> {
    try {
      const offer = await this.pc.createOffer();
      const local = await this.pc.setLocalDescription(offer);
      if (this.#closed) return;
      this.#negotiationTimer = setTimeout(() => {
        this.#events.failed("client did not answer the subscriber offer within 15 s");
      }, NEGOTIATION_TIMEOUT_MS);
      this.#negotiationTimer.unref();
      this.#events.offer(local.toSdp().sdp);
    } catch (err) {
      if (!this.#closed)
        this.#events.failed(`subscriber offer failed: ${err instanceof Error ? err.message : err}`);
    }
  }

  #settle(): void {
    if (this.#negotiationTimer) clearTimeout(this.#negotiationTimer);
    this.#negotiating = false;
    if (this.#again) this.#negotiate();
  }
}
