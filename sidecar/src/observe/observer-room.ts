/**
 * The port an observer talks to a room through: a participant that publishes nothing and hears
 * everyone. Words on `lk.transcription` are attributed to whom they are about: an agent also
 * publishes what it heard the human say (`lk.transcribed_track_id` = the human's track), and those
 * are the human's words, not the agent's.
 */
import type { PcmAudio } from "../media/audio/pcm.ts";

export type ObserverRoomEvent =
  | { type: "participant_joined"; identity: string }
  | { type: "participant_left"; identity: string }
  /** A chunk of a remote participant's audio, in arrival order; `receivedAtMs` on the injected clock. */
  | { type: "audio"; identity: string; audio: PcmAudio; receivedAtMs: number }
  /**
   * A chunk of an `lk.transcription` stream. `speaker`: whose words (the owner of the transcribed
   * track, else the sender); a later stream of the same segment replaces the earlier one's text.
   */
  | { type: "words"; speaker: string; segmentId: string; streamId: string; delta: string; atMs: number }
  /** The observer is out of the room; `normal`: the room closed or it was removed. */
  | { type: "disconnected"; reason: string; normal: boolean };

export interface ObserverRoom {
  readonly roomName: string;
  /** Leaves the room; never throws. */
  leave(): Promise<void>;
}

export interface ObserverRoomConnectOptions {
  url: string;
  token: string;
  /** Every event, from before `connect` resolves (participants already there are reported). */
  onEvent: (event: ObserverRoomEvent) => void;
  signal: AbortSignal;
}

/** Opens rooms as an observer; rejects with a message fit for a `connection_failed` result. */
export interface ObserverRoomConnector {
  connect(options: ObserverRoomConnectOptions): Promise<ObserverRoom>;
}
