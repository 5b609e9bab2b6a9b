import { type RemoteTrack, type Room, RoomEvent } from "@livekit/rtc-node";
import { joinRtcParticipant, openAudioReader, publishMicrophone, type RtcMicrophone } from "@spar/sidecar";
import { AccessToken, type VideoGrant } from "livekit-server-sdk";
import { rms, sineFrame } from "./tone.ts";

/** Test-side access to a dev server (see startMediaDevServer). */
export interface ServerAccess {
  url: string;
  apiKey: string;
  apiSecret: string;
}

export const SAMPLE_RATE = 48000;
const FRAME_SAMPLES = SAMPLE_RATE / 100;

export async function tokenFor(
  server: ServerAccess,
  identity: string,
  grant: VideoGrant,
  opts: { ttl?: string | number; apiSecret?: string; name?: string } = {},
): Promise<string> {
  const at = new AccessToken(server.apiKey, opts.apiSecret ?? server.apiSecret, {
    identity,
    ttl: opts.ttl ?? "10m",
    ...(opts.name ? { name: opts.name } : {}),
  });
  at.addGrant(grant);
  return at.toJwt();
}

/** Connects a real rtc-node participant to `room`. */
export async function joinRoom(server: ServerAccess, room: string, identity: string): Promise<Room> {
  const token = await tokenFor(server, identity, { roomJoin: true, room });
  return (await joinRtcParticipant({ url: server.url, token })).room;
}

/** Publishes a continuous sine tone from an rtc-node AudioSource until stopped. */
export class TonePublisher {
  #microphone: RtcMicrophone | undefined;
  #running = false;
  #loop: Promise<void> = Promise.resolve();
  #sample = 0;
  /** performance.now() when the first non-silent frame was handed to captureFrame. */
  toneStartedAt: number | undefined;

  constructor(
    readonly room: Room,
    readonly name: string,
  ) {}

  async publish(): Promise<RtcMicrophone> {
    const lp = this.room.localParticipant;
    if (!lp) throw new Error("room is not connected");
    this.#microphone = await publishMicrophone(lp, {
      trackName: this.name,
      sampleRate: SAMPLE_RATE,
      queueMs: 200,
    });
    return this.#microphone;
  }

  /** Plays `frequencyHz` (0 = silence) at `amplitude` (0..1, full scale = 1). */
  play(frequencyHz: number, amplitude: number): void {
    if (!this.#microphone) throw new Error(`${this.name}: publish() before play()`);
    this.#frequency = frequencyHz;
    this.#amplitude = amplitude;
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  #frequency = 0;
  #amplitude = 0;

  async #run(): Promise<void> {
    const microphone = this.#microphone;
    while (this.#running && microphone) {
      const data =
        this.#frequency > 0
          ? sineFrame({
              frequencyHz: this.#frequency,
              amplitude: this.#amplitude,
              sampleRate: SAMPLE_RATE,
              startSample: this.#sample,
              samples: FRAME_SAMPLES,
            })
          : new Int16Array(FRAME_SAMPLES);
      if (this.#frequency > 0 && this.toneStartedAt === undefined) this.toneStartedAt = performance.now();
      this.#sample += FRAME_SAMPLES;
      await microphone.captureFrame(data);
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.#microphone?.close();
  }
}

/** Resolves with the first subscribed remote audio track published by `identity`. */
export function waitForTrack(room: Room, identity: string, timeoutMs = 15_000): Promise<RemoteTrack> {
  for (const p of room.remoteParticipants.values()) {
    if (p.identity !== identity) continue;
    for (const pub of p.trackPublications.values()) if (pub.track) return Promise.resolve(pub.track);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      room.off(RoomEvent.TrackSubscribed, onTrack);
      const known = [...room.remoteParticipants.values()].map(
        (p) =>
          `${p.identity}[${[...p.trackPublications.values()].map((t) => `${t.sid}:${t.track ? "subscribed" : "unsubscribed"}`).join(",")}]`,
      );
      reject(
        new Error(
          `${room.localParticipant?.identity} got no track from ${identity} within ${timeoutMs} ms; it knows ${known.join(" ")}`,
        ),
      );
    }, timeoutMs);
    const onTrack = (track: RemoteTrack, _pub: unknown, participant: { identity: string }) => {
      if (participant.identity !== identity) return;
      clearTimeout(timer);
      room.off(RoomEvent.TrackSubscribed, onTrack);
      resolve(track);
    };
    room.on(RoomEvent.TrackSubscribed, onTrack);
  });
}

/** Reads `durationMs` of mono 48 kHz audio from a remote track, after skipping `skipMs`. */
export async function recordTrack(track: RemoteTrack, durationMs: number, skipMs = 0): Promise<Int16Array> {
  const reader = openAudioReader(track, { sampleRate: SAMPLE_RATE });
  const wanted = Math.round(((durationMs + skipMs) * SAMPLE_RATE) / 1000);
  const out = new Int16Array(wanted);
  let filled = 0;
  try {
    while (filled < wanted) {
      const { value, done } = await reader.read();
      if (done || !value) break;
      const take = Math.min(value.data.length, wanted - filled);
      out.set(value.data.subarray(0, take), filled);
      filled += take;
    }
  } finally {
    await reader.cancel();
    reader.releaseLock();
  }
  return out.subarray(Math.round((skipMs * SAMPLE_RATE) / 1000), filled);
}

/**
 * Waits until audio is audible on the track (rtc-node needs ~1 s from the first captured frame
 * to the first RTP packet), skips `settleMs`, then records `durationMs`.
 */
export async function recordTone(
  track: RemoteTrack,
  durationMs: number,
  settleMs = 200,
  timeoutMs = 10_000,
): Promise<Int16Array> {
  const reader = openAudioReader(track, { sampleRate: SAMPLE_RATE });
  const wanted = Math.round((durationMs * SAMPLE_RATE) / 1000);
  const out = new Int16Array(wanted);
  let filled = 0;
  let skip = -1;
  const deadline = Date.now() + timeoutMs;
  try {
    while (filled < wanted) {
      if (Date.now() > deadline) throw new Error(`no audible audio within ${timeoutMs} ms`);
      const { value, done } = await reader.read();
      if (done || !value) break;
      if (skip < 0) {
        if (rms(value.data) < 0.02) continue;
        skip = Math.round((settleMs * SAMPLE_RATE) / 1000);
      }
      let data = value.data;
      if (skip > 0) {
        const drop = Math.min(skip, data.length);
        skip -= drop;
        data = data.subarray(drop);
      }
      const take = Math.min(data.length, wanted - filled);
      out.set(data.subarray(0, take), filled);
      filled += take;
    }
  } finally {
    await reader.cancel();
    reader.releaseLock();
  }
  return out.subarray(0, filled);
}

/** Resolves when `event` fires with arguments accepted by `match`. */
export function waitForRoomEvent<A extends unknown[]>(
  room: Room,
  event: RoomEvent,
  match: (...args: A) => boolean,
  timeoutMs = 15_000,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const handler = (...args: A) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      room.off(event, handler as never);
      resolve(args);
    };
    const timer = setTimeout(() => {
      room.off(event, handler as never);
      reject(new Error(`${event} not seen within ${timeoutMs} ms`));
    }, timeoutMs);
    room.on(event, handler as never);
  });
}
