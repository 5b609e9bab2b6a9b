import { DisconnectReason, type ParticipantInfo, Room, type TrackInfo } from "@livekit/protocol";
import { newId } from "./ids.ts";

export interface CreateRoomOptions {
  name: string;
  emptyTimeoutS?: number;
  departureTimeoutS?: number;
  maxParticipants?: number;
  metadata?: string;
}

export type RegistryEvent =
  | { type: "room_started"; room: Room }
  | { type: "room_finished"; room: Room }
  | { type: "participant_joined"; room: Room; participant: ParticipantInfo }
  | { type: "participant_left"; room: Room; participant: ParticipantInfo }
  | { type: "track_published"; room: Room; participant: ParticipantInfo; track: TrackInfo }
  | { type: "track_unpublished"; room: Room; participant: ParticipantInfo; track: TrackInfo };

/** What the registry needs from a connected participant (the signalling session implements it). */
export interface ParticipantSession {
  readonly info: ParticipantInfo;
  /** Server-initiated disconnect (room deleted, participant removed, duplicate identity). */
  close(reason: DisconnectReason): void;
  /** The room's metadata or counters changed. */
  roomUpdated(room: Room): void;
}

/** Timer seam so lifecycle rules are tested with exact numbers instead of wall-clock sleeps. */
export interface RegistryClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: RegistryClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** livekit-server's defaults; a 0 in CreateRoom means "use the default", as on the real server. */
export const DEFAULT_EMPTY_TIMEOUT_S = 300;
export const DEFAULT_DEPARTURE_TIMEOUT_S = 20;
export const MAX_ROOM_NAME_LENGTH = 256;
export const MAX_METADATA_BYTES = 64 * 1024;

export type AdmitResult =
  | { ok: true; room: Room; others: ParticipantSession[] }
  | { ok: false; reason: "room_not_found" | "room_full"; message: string };

interface RoomEntry {
  room: Room;
  sessions: Map<string, ParticipantSession>;
  timer: unknown;
}

export class RoomRegistry {
  readonly #rooms = new Map<string, RoomEntry>();
  readonly #listeners = new Set<(e: RegistryEvent) => void>();
  readonly #clock: RegistryClock;
  readonly #onListenerError: (err: unknown) => void;

  constructor(opts: { clock?: RegistryClock; onListenerError?: (err: unknown) => void } = {}) {
    this.#clock = opts.clock ?? systemClock;
    this.#onListenerError =
      opts.onListenerError ?? ((err) => console.error("[livekit-dev-server] listener failed:", err));
  }

  createRoom(opts: CreateRoomOptions): Room {
    const existing = this.#rooms.get(opts.name);
    if (existing) return existing.room;
    validateRoomName(opts.name);
    if (opts.metadata !== undefined) validateMetadata(opts.metadata);
    const nowMs = this.#clock.now();
    const room = new Room({
      sid: newId("RM_"),
      name: opts.name,
      emptyTimeout: positiveOr(opts.emptyTimeoutS, DEFAULT_EMPTY_TIMEOUT_S),
      departureTimeout: positiveOr(opts.departureTimeoutS, DEFAULT_DEPARTURE_TIMEOUT_S),
      maxParticipants: Math.max(0, Math.floor(opts.maxParticipants ?? 0)),
      metadata: opts.metadata ?? "",
      creationTime: BigInt(Math.floor(nowMs / 1000)),
      creationTimeMs: BigInt(nowMs),
    });
    const entry: RoomEntry = { room, sessions: new Map(), timer: undefined };
    this.#rooms.set(opts.name, entry);
    this.#emit({ type: "room_started", room });
    // Nobody has joined yet: the room lives for empty_timeout.
    this.#arm(entry, room.emptyTimeout);
    return room;
  }

  listRooms(names?: string[]): Room[] {
    const all = [...this.#rooms.values()].map((e) => e.room);
    if (!names || names.length === 0) return all;
    const wanted = new Set(names);
    return all.filter((r) => wanted.has(r.name));
  }

  getRoom(name: string): Room | undefined {
    return this.#rooms.get(name)?.room;
  }

  deleteRoom(name: string): boolean {
    const entry = this.#rooms.get(name);
    if (!entry) return false;
    this.#finish(entry, DisconnectReason.ROOM_DELETED);
    return true;
  }

  listParticipants(room: string): ParticipantInfo[] {
    const entry = this.#rooms.get(room);
    return entry ? [...entry.sessions.values()].map((s) => s.info) : [];
  }

  getParticipant(room: string, identity: string): ParticipantInfo | undefined {
    return this.#rooms.get(room)?.sessions.get(identity)?.info;
  }

  removeParticipant(room: string, identity: string): boolean {
    const entry = this.#rooms.get(room);
    const session = entry?.sessions.get(identity);
    if (!entry || !session) return false;
    this.#drop(entry, session);
    safely(() => session.close(DisconnectReason.PARTICIPANT_REMOVED), this.#onListenerError);
    return true;
  }

  updateRoomMetadata(room: string, metadata: string): Room | undefined {
    const entry = this.#rooms.get(room);
    if (!entry) return undefined;
    validateMetadata(metadata);
    entry.room.metadata = metadata;
    this.#broadcastRoom(entry);
    return entry.room;
  }

  on(listener: (e: RegistryEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  // ---- used by the signalling layer (not part of the Twirp seam) ----

  /**
   * Adds a participant. livekit-server auto-creates a missing room on join by default; the
   * server option `autoCreateRooms` (default on) decides here.
   * A second session with the same identity replaces the first (DUPLICATE_IDENTITY), like the real server.
   */
  admit(roomName: string, session: ParticipantSession, opts: { autoCreate: boolean }): AdmitResult {
    let entry = this.#rooms.get(roomName);
    if (!entry) {
      if (!opts.autoCreate) {
        return {
          ok: false,
          reason: "room_not_found",
          message: `room "${roomName}" does not exist and auto-create is off`,
        };
      }
      this.createRoom({ name: roomName });
      entry = this.#rooms.get(roomName);
      if (!entry)
        return { ok: false, reason: "room_not_found", message: `room "${roomName}" could not be created` };
    }
    const identity = session.info.identity;
    const previous = entry.sessions.get(identity);
    const max = entry.room.maxParticipants;
    if (!previous && max > 0 && entry.sessions.size >= max) {
      return {
        ok: false,
        reason: "room_full",
        message: `room "${roomName}" is full: max_participants is ${max}`,
      };
    }
    if (previous) {
      this.#drop(entry, previous);
      safely(() => previous.close(DisconnectReason.DUPLICATE_IDENTITY), this.#onListenerError);
    }
    this.#disarm(entry);
    entry.sessions.set(identity, session);
    this.#recount(entry);
    this.#emit({ type: "participant_joined", room: entry.room, participant: session.info });
    this.#broadcastRoom(entry, session);
    return { ok: true, room: entry.room, others: [...entry.sessions.values()].filter((s) => s !== session) };
  }

  /** The session ended on its own (client left, socket closed). Idempotent. */
  depart(roomName: string, session: ParticipantSession): void {
    const entry = this.#rooms.get(roomName);
    if (!entry || entry.sessions.get(session.info.identity) !== session) return;
    this.#drop(entry, session);
  }

  /** Sessions currently in a room, for forwarding media/data and signalling updates. */
  sessions(roomName: string): ParticipantSession[] {
    const entry = this.#rooms.get(roomName);
    return entry ? [...entry.sessions.values()] : [];
  }

  trackPublished(roomName: string, session: ParticipantSession, track: TrackInfo): void {
    const entry = this.#rooms.get(roomName);
    if (!entry || entry.sessions.get(session.info.identity) !== session) return;
    this.#recount(entry);
    this.#emit({ type: "track_published", room: entry.room, participant: session.info, track });
  }

  trackUnpublished(roomName: string, session: ParticipantSession, track: TrackInfo): void {
    const entry = this.#rooms.get(roomName);
    if (!entry || entry.sessions.get(session.info.identity) !== session) return;
    this.#recount(entry);
    this.#emit({ type: "track_unpublished", room: entry.room, participant: session.info, track });
  }

  /** Disconnects everyone and forgets every room (server shutdown). */
  closeAll(): void {
    for (const entry of [...this.#rooms.values()]) this.#finish(entry, DisconnectReason.SERVER_SHUTDOWN);
  }

  #drop(entry: RoomEntry, session: ParticipantSession): void {
    entry.sessions.delete(session.info.identity);
    this.#recount(entry);
    this.#emit({ type: "participant_left", room: entry.room, participant: session.info });
    this.#broadcastRoom(entry);
    // Last one out: the room lives for departure_timeout, then closes.
    if (entry.sessions.size === 0 && this.#rooms.get(entry.room.name) === entry) {
      this.#arm(entry, entry.room.departureTimeout);
    }
  }

  #finish(entry: RoomEntry, reason: DisconnectReason): void {
    if (this.#rooms.get(entry.room.name) !== entry) return;
    this.#disarm(entry);
    this.#rooms.delete(entry.room.name);
    for (const session of [...entry.sessions.values()]) {
      entry.sessions.delete(session.info.identity);
      this.#emit({ type: "participant_left", room: entry.room, participant: session.info });
      safely(() => session.close(reason), this.#onListenerError);
    }
    this.#recount(entry);
    this.#emit({ type: "room_finished", room: entry.room });
  }

  #arm(entry: RoomEntry, seconds: number): void {
    this.#disarm(entry);
    entry.timer = this.#clock.setTimeout(() => {
      entry.timer = undefined;
      if (entry.sessions.size === 0) this.#finish(entry, DisconnectReason.ROOM_DELETED);
    }, seconds * 1000);
  }

  #disarm(entry: RoomEntry): void {
    if (entry.timer !== undefined) this.#clock.clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  #recount(entry: RoomEntry): void {
    const sessions = [...entry.sessions.values()];
    entry.room.numParticipants = sessions.length;
    entry.room.numPublishers = sessions.filter((s) => s.info.tracks.length > 0).length;
  }

  #broadcastRoom(entry: RoomEntry, except?: ParticipantSession): void {
    for (const s of entry.sessions.values()) {
      if (s !== except) safely(() => s.roomUpdated(entry.room), this.#onListenerError);
    }
  }

  #emit(e: RegistryEvent): void {
    for (const l of [...this.#listeners]) safely(() => l(e), this.#onListenerError);
  }
}

function positiveOr(v: number | undefined, fallback: number): number {
  return v !== undefined && Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}

function safely(fn: () => void, onError: (err: unknown) => void): void {
  try {
    fn();
  } catch (err) {
    onError(err);
  }
}

export class RoomInputError extends Error {}

function validateRoomName(name: string): void {
  if (name.length === 0 || name.length > MAX_ROOM_NAME_LENGTH) {
    throw new RoomInputError(`room name must be 1..${MAX_ROOM_NAME_LENGTH} characters; got ${name.length}`);
  }
}

function validateMetadata(metadata: string): void {
  if (Buffer.byteLength(metadata) > MAX_METADATA_BYTES) {
    throw new RoomInputError(`metadata must be at most ${MAX_METADATA_BYTES} bytes; shorten it`);
  }
}
