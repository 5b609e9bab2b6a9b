/**
 * The dev server's built-in echo agent (`--echo-agent-ms N`, off by default): each participant
 * that joins sees one more participant, `echo-agent` (kind AGENT), and hears its own microphone
 * back from it N ms later. It lives inside the participant's session: no peer connection, no
 * codec, no other participant sees it; its "voice" is the participant's own Opus packets,
 * forwarded again on a track of its own.
 *
 * Why: a counterpart that costs almost nothing. A real agent is an rtc-node room (its encoder,
 * decoder and threads: ~25–35 ms of CPU per second each) plus the SFU forwarding the caller to
 * it; bench/voice-load needs 20 of them beside 20 calls on 2 cores. With N longer than the
 * caller's longest line, every caller line is answered by its own echo, starting N − line
 * length after the line ended, and turns alternate as in a real call.
 */
import {
  ParticipantInfo,
  ParticipantInfo_Kind,
  ParticipantInfo_State,
  TrackInfo,
  TrackSource,
  TrackType,
} from "@livekit/protocol";
import type { RtpPacket } from "werift";
import { newId } from "./ids.ts";

export const ECHO_AGENT_IDENTITY = "echo-agent";
/** Longest accepted delay (the packets wait in timers meanwhile). */
export const MAX_ECHO_DELAY_MS = 60_000;

export interface EchoAgentLink {
  /** Tells the participant about the echo agent (a ParticipantUpdate). */
  announce(info: ParticipantInfo): void;
  /** Adds the echo track to the participant's subscriber connection. */
  addTrack(participantSid: string, trackSid: string): void;
  removeTrack(trackSid: string): void;
  forward(trackSid: string, packet: RtpPacket): void;
}

export class EchoAgent {
  readonly info: ParticipantInfo;
  /** Participant's track sid → the echo track's sid. */
  readonly #echoes = new Map<string, string>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;

  constructor(
    private readonly delayMs: number,
    private readonly link: EchoAgentLink,
    now: number,
  ) {
    if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_ECHO_DELAY_MS) {
      throw new Error(
        `echo agent delay must be an integer from 0 to ${MAX_ECHO_DELAY_MS} ms; got ${delayMs}`,
      );
    }
    this.info = new ParticipantInfo({
      sid: newId("PA_"),
      identity: ECHO_AGENT_IDENTITY,
      name: "Echo agent (livekit-dev-server)",
      state: ParticipantInfo_State.ACTIVE,
      kind: ParticipantInfo_Kind.AGENT,
      joinedAt: BigInt(Math.floor(now / 1000)),
      joinedAtMs: BigInt(Math.floor(now)),
      version: 1,
      isPublisher: false,
    });
  }

  /** The participant published an audio track: the echo agent publishes its echo. */
  trackPublished(trackSid: string): void {
    if (this.#closed || this.#echoes.has(trackSid)) return;
    const echo = new TrackInfo({
      sid: newId("TR_"),
      type: TrackType.AUDIO,
      name: "echo",
      source: TrackSource.MICROPHONE,
      mimeType: "audio/opus",
    });
    this.#echoes.set(trackSid, echo.sid);
    this.info.tracks.push(echo);
    this.info.isPublisher = true;
    this.info.version += 1;
    this.link.announce(this.info);
    this.link.addTrack(this.info.sid, echo.sid);
  }

  trackUnpublished(trackSid: string): void {
    const echo = this.#echoes.get(trackSid);
    if (!echo) return;
    this.#echoes.delete(trackSid);
    this.info.tracks = this.info.tracks.filter((t) => t.sid !== echo);
    this.info.version += 1;
    this.link.removeTrack(echo);
    this.link.announce(this.info);
  }

  /** One RTP packet of the participant's track: sent back on the echo track after the delay. */
  rtp(trackSid: string, packet: RtpPacket): void {
    const echo = this.#echoes.get(trackSid);
    if (!echo || this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closed) this.link.forward(echo, packet);
    }, this.delayMs);
    this.#timers.add(timer);
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}
