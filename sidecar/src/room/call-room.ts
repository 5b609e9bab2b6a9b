/**
 * The port the call runner talks to a room through: one connected participant (the simulated
 * caller) with a microphone, the audio and text it receives, and the few things it sends. The
 * LiveKit adapter fills it in over rtc-node; nothing else in the call code knows about rtc-node.
 */
import type { PcmAudio } from "../media/audio/pcm.ts";

/** What happens in the room, as seen by the caller. Times are on the injected clock. */
export type CallRoomEvent =
  | { type: "participant_joined"; identity: string }
  | { type: "participant_left"; identity: string }
  /** A chunk (tens of ms) of a remote participant's audio, in arrival order. */
  | { type: "audio"; identity: string; audio: PcmAudio; receivedAtMs: number }
  /** A chunk of a remote participant's `lk.transcription` text stream (one stream per segment). */
  | { type: "transcription"; identity: string; segmentId: string; delta: string }
  /** The stream of that segment closed: its text is final. */
  | { type: "transcription_end"; identity: string; segmentId: string }
  /**
   * The caller is no longer in the room. `normal`: the room closed or the caller was removed
   * (the call ended); otherwise a fault (server shutdown, signal lost, failed join).
   */
  | { type: "disconnected"; reason: string; normal: boolean };

export interface CallRoom {
  readonly roomName: string;
  readonly localIdentity: string;
  /** Rate of the microphone's frames (and of received audio). */
  readonly sampleRate: number;
  /**
   * Length of one microphone frame (ms) the room wants handed to `captureFrame`. The room's
   * outgoing queue holds several, so the caller runs that far ahead of the track.
   */
  readonly microphoneFrameMs: number;
  /** Sid of the published microphone track (what the caller's transcription refers to). */
  readonly microphoneTrackSid: string;
  remoteIdentities(): string[];
  /**
   * Hands one frame (`microphoneFrameMs`, mono, `sampleRate`) to the microphone. Resolves when the outgoing
   * queue has room: awaiting each frame paces the caller in real time.
   */
  captureFrame(samples: Int16Array): Promise<void>;
  /** SIP-style DTMF data packet (RFC 4733 event code + digit). */
  sendDtmf(digit: string): Promise<void>;
  /** The caller's own words on `lk.transcription`, for the agent and observers. */
  publishTranscription(text: string, segmentId: string): Promise<void>;
  /** Leaves the room; never throws. */
  leave(): Promise<void>;
}

export interface CallRoomConnectOptions {
  url: string;
  token: string;
  /** Every room event, from before `connect` resolves (participants already there are reported). */
  onEvent: (event: CallRoomEvent) => void;
  signal: AbortSignal;
}

/** Opens rooms. Rejects with a message fit for a `connection_failed` result when it cannot. */
export interface CallRoomConnector {
  connect(options: CallRoomConnectOptions): Promise<CallRoom>;
}
