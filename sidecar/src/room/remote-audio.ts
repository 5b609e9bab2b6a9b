/**
 * Remote audio over @livekit/rtc-node: every subscribed audio track (those already there and
 * those that come later) read through an AudioStream as mono frames at the asked rate.
 * Readers are cancelled on close: once the server has dropped a participant its readers never
 * end by themselves, and a pump awaited without the cancel would hang forever.
 */
import {
  type AudioFrame,
  AudioStream,
  type RemoteParticipant,
  type RemoteTrack,
  type Room,
  RoomEvent,
  TrackKind,
} from "@livekit/rtc-node";

export interface AudioReaderOptions {
  /** Rate the frames are resampled to (Hz). */
  sampleRate: number;
  /** Length of each frame (ms); rtc-node's default (10 ms) when unset. */
  frameMs?: number;
}

export interface RemoteAudioOptions extends AudioReaderOptions {
  /** Reads only tracks of participants this accepts; default every participant. */
  from?: (identity: string) => boolean;
  /** Reads the first accepted track only (a bot that hears one caller); default every track. */
  firstTrackOnly?: boolean;
  /** Called for every frame; rtc-node reuses nothing, but copy `frame.data` if it is kept. */
  onFrame(frame: AudioFrame, identity: string): void;
  /** A throwing onFrame ends that track's reading and lands here; default: ignored. */
  onError?: (cause: unknown) => void;
}

export interface RemoteAudioReading {
  /** Cancels every reader and waits for the pumps to end. */
  close(): Promise<void>;
}

/** A mono reader of one remote track (for tests that record a track for a while). */
export function openAudioReader(
  track: RemoteTrack,
  options: AudioReaderOptions,
): ReadableStreamDefaultReader<AudioFrame> {
  return new AudioStream(track, {
    sampleRate: options.sampleRate,
    numChannels: 1,
    ...(options.frameMs !== undefined ? { frameSizeMs: options.frameMs } : {}),
  }).getReader();
}

/** Starts reading; call before `connect` or after, tracks already subscribed are picked up too. */
export function readRemoteAudio(room: Room, options: RemoteAudioOptions): RemoteAudioReading {
  const readers = new Set<ReadableStreamDefaultReader<AudioFrame>>();
  const pumps = new Set<Promise<void>>();
  const readingTracks = new Set<string>();
  let tracksStarted = 0;
  let closed = false;

  const read = (track: RemoteTrack, participant: RemoteParticipant): void => {
    const sid = track.sid ?? "";
    if (closed || track.kind !== TrackKind.KIND_AUDIO || readingTracks.has(sid)) return;
    if (options.from && !options.from(participant.identity)) return;
    if (options.firstTrackOnly && tracksStarted > 0) return;
    tracksStarted++;
    readingTracks.add(sid);
    const reader = openAudioReader(track, options);
    readers.add(reader);
    const identity = participant.identity;
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || !value || closed) return;
        options.onFrame(value, identity);
      }
    })()
      .catch((cause: unknown) => {
        if (!closed) options.onError?.(cause);
      })
      .finally(() => {
        readers.delete(reader);
        readingTracks.delete(sid);
        pumps.delete(pump);
        reader.cancel().catch(() => undefined);
      });
    pumps.add(pump);
  };
  const onTrack = (track: RemoteTrack, _publication: unknown, participant: RemoteParticipant) =>
    read(track, participant);

  room.on(RoomEvent.TrackSubscribed, onTrack);
  for (const participant of room.remoteParticipants.values()) {
    for (const publication of participant.trackPublications.values()) {
      if (publication.track) read(publication.track, participant);
    }
  }
  return {
    async close() {
      closed = true;
      room.off(RoomEvent.TrackSubscribed, onTrack);
      for (const reader of readers) await reader.cancel().catch(() => undefined);
      await Promise.allSettled([...pumps]);
    },
  };
}
