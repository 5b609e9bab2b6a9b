/**
 * One @livekit/rtc-node participant, set up the same way by every part of Spar that joins a
 * LiveKit room (the caller's call and chat rooms, the reference voice bot, the test agents, the
 * load bench): connect with auto-subscribe and without dynacast, abortable, failing by name when
 * the server drops us mid-join; then optionally a published microphone, remote audio readers and
 * a warmed-up data channel; and one close() that tears all of it down in a safe order.
 * Each site registers its own listeners (text streams, DTMF, participants) in `onRoom`.
 */
import { type LocalParticipant, Room, RoomEvent } from "@livekit/rtc-node";
import { type RemoteAudioOptions, type RemoteAudioReading, readRemoteAudio } from "./remote-audio.ts";
import { installRoomEventFilter } from "./room-event-filter.ts";
import { publishMicrophone, type RtcMicrophone, type RtcMicrophoneOptions } from "./rtc-microphone.ts";

/** Topic of the one-byte packet that brings the publisher connection up; addressed to nobody else. */
export const WARM_UP_TOPIC = "spar.warm_up";

export interface JoinRtcParticipantOptions {
  url: string;
  token: string;
  /** Subscribe to every remote track as it is published; default true. */
  autoSubscribe?: boolean;
  /** Drop other rooms' FFI events before the Room's lock (room-event-filter.ts); default false. */
  filterForeignEvents?: boolean;
  /** Who joins, for the failure's message ("the server closed the connection while the caller joined"); default "participant". */
  role?: string;
  /** Stops waiting for the join (rtc-node's connect cannot be cancelled; close() cleans up). */
  signal?: AbortSignal;
  /** Registers the site's own listeners on the Room before it connects (nothing is missed). */
  onRoom?: (room: Room) => void;
  /** Runs once connected, before the microphone is published (e.g. to greet who is already there); awaited. */
  onConnected?: (room: Room) => void | Promise<void>;
  /** Reads remote audio from before the connect on. */
  audio?: RemoteAudioOptions;
  /** Publishes a microphone as part of the join. */
  microphone?: RtcMicrophoneOptions;
  /**
   * Brings the publisher connection and its data channels up before the join resolves: a
   * participant's first data otherwise waits for them (~0.5–1 s against the dev server), which
   * would be charged to whatever it sends first.
   */
  warmUpData?: boolean;
}

export interface RtcParticipant {
  readonly room: Room;
  readonly local: LocalParticipant;
  /** Set when the join published one (or after publishMicrophone). */
  readonly microphone: RtcMicrophone | undefined;
  publishMicrophone(options: RtcMicrophoneOptions): Promise<RtcMicrophone>;
  readAudio(options: RemoteAudioOptions): RemoteAudioReading;
  /** Cancels the audio readers, disconnects, closes the microphone; errors are swallowed. Idempotent. */
  close(): Promise<void>;
}

/** Joins once: a server that drops us while we join fails the join, a test must not hide a flaky room. */
export async function joinRtcParticipant(options: JoinRtcParticipantOptions): Promise<RtcParticipant> {
  const participant = new JoinedParticipant(options.filterForeignEvents === true);
  try {
    await participant.join(options);
    return participant;
  } catch (cause) {
    await participant.close();
    throw cause;
  }
}

/**
 * Sends one byte addressed to the participant itself: LiveKit never routes a packet back to its
 * sender, so no one receives it, but the publisher connection and its data channels are up afterwards.
 */
export async function warmUpPublisher(local: {
  identity: string;
  publishData(
    data: Uint8Array,
    options: { reliable?: boolean; destination_identities?: string[]; topic?: string },
  ): Promise<void>;
}): Promise<void> {
  await local.publishData(new Uint8Array([0]), {
    reliable: true,
    destination_identities: [local.identity],
    topic: WARM_UP_TOPIC,
  });
}

class JoinedParticipant implements RtcParticipant {
  readonly room = new Room();
  microphone: RtcMicrophone | undefined;
  private readonly microphones: RtcMicrophone[] = [];
  private readonly readings: RemoteAudioReading[] = [];
  private joinFailure: Promise<never> | undefined;
  private closing: Promise<void> | undefined;

  constructor(filterForeignEvents: boolean) {
    if (filterForeignEvents) installRoomEventFilter(this.room);
  }

  get local(): LocalParticipant {
    const local = this.room.localParticipant;
    if (!local) throw new Error("the participant is not connected");
    return local;
  }

  async join(options: JoinRtcParticipantOptions): Promise<void> {
    let joined = false;
    const failure = new Promise<never>((_, reject) => {
      const signal = options.signal;
      const fail = () => reject(new Error("aborted while connecting"));
      if (signal?.aborted) fail();
      else signal?.addEventListener("abort", fail, { once: true });
      // Dropped by the server while joining: fail now rather than at the publish timeout.
      this.room.once(RoomEvent.Disconnected, (reason) => {
        if (!joined)
          reject(
            new Error(
              `the server closed the connection while the ${options.role ?? "participant"} joined (${String(reason)})`,
            ),
          );
      });
    });
    // Settles after the join too (a later abort): never an unhandled rejection.
    failure.catch(() => undefined);
    this.joinFailure = failure;
    options.onRoom?.(this.room);
    if (options.audio) this.readAudio(options.audio);
    const connected = this.room.connect(options.url, options.token, {
      autoSubscribe: options.autoSubscribe ?? true,
      dynacast: false,
    });
    connected.catch(() => undefined);
    await this.whileJoining(connected);
    if (!this.room.localParticipant) throw new Error("connected without a local participant");
    if (options.onConnected) await this.whileJoining(Promise.resolve(options.onConnected(this.room)));
    if (options.microphone) await this.publishMicrophone(options.microphone);
    if (options.warmUpData) await this.whileJoining(warmUpPublisher(this.local));
    joined = true;
    this.joinFailure = undefined;
  }

  async publishMicrophone(options: RtcMicrophoneOptions): Promise<RtcMicrophone> {
    if (this.closing) throw new Error("the participant has left the room");
    const microphone = await publishMicrophone(this.local, options, (step) => this.whileJoining(step));
    this.microphones.push(microphone);
    this.microphone ??= microphone;
    return microphone;
  }

  readAudio(options: RemoteAudioOptions): RemoteAudioReading {
    const reading = readRemoteAudio(this.room, options);
    this.readings.push(reading);
    return reading;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const reading of this.readings) await reading.close();
      await this.room.disconnect().catch(() => undefined);
      for (const microphone of this.microphones) await microphone.close();
    })();
    return this.closing;
  }

  private whileJoining<T>(step: Promise<T>): Promise<T> {
    return this.joinFailure ? Promise.race([step, this.joinFailure]) : step;
  }
}

/** A room adapter that opens in one step and leaves without throwing. */
export interface OpenableRoom {
  open(url: string, token: string, signal: AbortSignal): Promise<void>;
  leave(): Promise<void>;
}

/** Opens `room`; a join that fails leaves what it half-opened before the failure is thrown. */
export async function openOrLeave<R extends OpenableRoom>(
  room: R,
  options: { url: string; token: string; signal: AbortSignal },
): Promise<R> {
  try {
    await room.open(options.url, options.token, options.signal);
    return room;
  } catch (cause) {
    await room.leave();
    throw cause;
  }
}
