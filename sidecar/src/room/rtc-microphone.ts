/**
 * A published microphone over @livekit/rtc-node: one mono AudioSource, its LocalAudioTrack
 * published as SOURCE_MICROPHONE, fed Int16 frames. Every participant of ours that speaks
 * (the caller, the reference bot, the test agents) publishes through here.
 */
import {
  AudioFrame,
  AudioSource,
  LocalAudioTrack,
  type LocalParticipant,
  TrackPublishOptions,
  TrackSource,
} from "@livekit/rtc-node";

export interface RtcMicrophoneOptions {
  /** Name of the published track. */
  trackName: string;
  /** Sample rate of the frames handed to captureFrame (Hz). */
  sampleRate: number;
  /**
   * rtc-node's outgoing queue (ms). 0 = none: captureFrame hands each frame straight to the
   * encoder, so the moment of the call is the moment the samples left (the caller paces itself).
   * More: captureFrame resolves once the queue has room, so a stall shorter than the queue never
   * starves the track.
   */
  queueMs: number;
}

export interface RtcMicrophone {
  readonly trackSid: string;
  readonly sampleRate: number;
  /** Hands mono samples at `sampleRate` to the track; rejects once the microphone is closed. */
  captureFrame(samples: Int16Array): Promise<void>;
  /** Resolves when every queued sample has been handed to the encoder. */
  waitForPlayout(): Promise<void>;
  /** Closes the track and its source; safe to call twice. */
  close(): Promise<void>;
}

export function checkMicrophoneOptions(options: RtcMicrophoneOptions): void {
  if (!Number.isInteger(options.sampleRate) || options.sampleRate < 8_000 || options.sampleRate > 48_000) {
    throw new Error(`microphone.sampleRate: ${options.sampleRate} must be an integer from 8000 to 48000 Hz`);
  }
  if (!Number.isInteger(options.queueMs) || options.queueMs < 0 || options.queueMs > 2_000) {
    throw new Error(`microphone.queueMs: ${options.queueMs} must be an integer from 0 to 2000 ms`);
  }
}

/**
 * Creates the source and track and publishes them. `whileJoining` races the publish against the
 * join's own failure (abort, dropped by the server); on any failure the track is closed again.
 */
export async function publishMicrophone(
  local: LocalParticipant,
  options: RtcMicrophoneOptions,
  whileJoining: <T>(step: Promise<T>) => Promise<T> = (step) => step,
): Promise<RtcMicrophone> {
  checkMicrophoneOptions(options);
  const { sampleRate } = options;
  const source = new AudioSource(sampleRate, 1, options.queueMs);
  const track = LocalAudioTrack.createAudioTrack(options.trackName, source);
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await track.close().catch(() => undefined);
      await source.close().catch(() => undefined);
    })();
    return closing;
  };
  try {
    const publication = await whileJoining(
      local.publishTrack(track, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE })),
    );
    return {
      trackSid: publication.sid ?? "",
      sampleRate,
      captureFrame(samples) {
        if (closing) return Promise.reject(new Error("the microphone is closed"));
        return source.captureFrame(new AudioFrame(samples, sampleRate, 1, samples.length));
      },
      waitForPlayout: () => source.waitForPlayout(),
      close,
    };
  } catch (cause) {
    await close();
    throw cause;
  }
}
