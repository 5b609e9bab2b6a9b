import {
  type AddTrackRequest,
  type DisconnectReason,
  LeaveRequest,
  LeaveRequest_Action,
  type ParticipantInfo,
  ParticipantInfo_State,
  ParticipantUpdate,
  Pong,
  RequestResponse,
  type Room,
  RoomUpdate,
  SessionDescription,
  SignalTarget,
  type TrackInfo,
  TrackPublishedResponse,
  TrickleRequest,
  type UpdateParticipantMetadata,
  type UpdateSubscription,
} from "@livekit/protocol";
import type { RtpPacket } from "werift";
import type { WebSocket } from "ws";
import { routeDataPacket } from "./data-routing.ts";
import { EchoAgent } from "./echo-agent.ts";
import { isUsableCandidate } from "./ice-candidate.ts";
import type { JoinTicket } from "./join-auth.ts";
import { joinResponse, PING_TIMEOUT_S } from "./join-response.ts";
import { applyMetadataUpdate } from "./metadata-update.ts";
import { OrderedRequests } from "./ordered-requests.ts";
import { participantFromTicket } from "./participant-info.ts";
import { PublisherLink } from "./publisher-link.ts";
import type { ParticipantSession, RoomRegistry } from "./room-registry.ts";
import { sdpProblem } from "./sdp.ts";
import { SignalChannel, type SignalRequestMessage } from "./signal-channel.ts";
import { SubscriberLink } from "./subscriber-link.ts";
import { trackFromRequest } from "./track-request.ts";

export interface SessionDeps {
  registry: RoomRegistry;
  iceIp: string | undefined;
  autoCreateRooms: boolean;
  now: () => number;
  /** Built-in echo agent for every participant, with this delay (echo-agent.ts); unset = none. */
  echoAgentMs?: number | undefined;
}

interface PublishedTrack {
  info: TrackInfo;
  mid: string;
  subscribers: Set<RtcSession>;
}

/** One connected participant: its signalling socket, its two peer connections, its tracks. */
export class RtcSession implements ParticipantSession {
  readonly info: ParticipantInfo;
  readonly #room: string;
  readonly #autoSubscribe: boolean;
  readonly #deps: SessionDeps;
  readonly #signal: SignalChannel;
  readonly #publisher: PublisherLink;
  readonly #subscriber: SubscriberLink;
  readonly #pendingByCid = new Map<string, TrackInfo>();
  readonly #tracks = new Map<string, PublishedTrack>(); // track sid -> track
  readonly #midToSid = new Map<string, string>();
  readonly #requests = new OrderedRequests();
  #offerId = 0;
  #ended = false;
  readonly #echo: EchoAgent | undefined;

  constructor(ws: WebSocket, ticket: JoinTicket, deps: SessionDeps) {
    this.#deps = deps;
    this.#room = ticket.room;
    this.#autoSubscribe = ticket.autoSubscribe;
    this.info = participantFromTicket(ticket, deps.now());
    this.#signal = new SignalChannel(
      ws,
      {
        request: (m) => this.#enqueue(m),
        closed: (why) => this.#end(why),
      },
      { pingTimeoutS: PING_TIMEOUT_S },
    );
    this.#publisher = new PublisherLink(deps.iceIp, {
      mediaStarted: (mid, trackId) => this.#onMediaStarted(mid, trackId),
      mediaStopped: (mid) => {
        const sid = this.#midToSid.get(mid);
        if (sid) this.#unpublish(sid);
      },
      rtp: (mid, packet) => this.#onRtp(mid, packet),
      data: (bytes, reliable) => this.#onData(bytes, reliable),
      candidate: (json) =>
        this.#signal.send({
          case: "trickle",
          value: new TrickleRequest({ candidateInit: json, target: SignalTarget.PUBLISHER }),
        }),
    });
    this.#subscriber = new SubscriberLink(deps.iceIp, {
      offer: (sdp) =>
        this.#signal.send({
          case: "offer",
          value: new SessionDescription({ type: "offer", sdp, id: ++this.#offerId }),
        }),
      candidate: (json) =>
        this.#signal.send({
          case: "trickle",
          value: new TrickleRequest({ candidateInit: json, target: SignalTarget.SUBSCRIBER }),
        }),
      connected: () => {
        if (this.info.state === ParticipantInfo_State.ACTIVE) return;
        this.info.state = ParticipantInfo_State.ACTIVE;
        this.#changed();
      },
      failed: (why) => this.#endWithLeave(why),
    });
    this.#echo =
      deps.echoAgentMs === undefined
        ? undefined
        : new EchoAgent(
            deps.echoAgentMs,
            {
              announce: (info) =>
                this.#signal.send({ case: "update", value: new ParticipantUpdate({ participants: [info] }) }),
              addTrack: (participantSid, trackSid) => this.#subscriber.addTrack(participantSid, trackSid),
              removeTrack: (trackSid) => this.#subscriber.removeTrack(trackSid),
              forward: (trackSid, packet) => this.#subscriber.forward(trackSid, packet),
            },
            deps.now(),
          );
    this.#join();
  }

  get room(): string {
    return this.#room;
  }

  close(reason: DisconnectReason): void {
    this.#signal.send({
      case: "leave",
      value: new LeaveRequest({ canReconnect: false, reason, action: LeaveRequest_Action.DISCONNECT }),
    });
    this.#signal.close(1000, "disconnected by server");
    this.#end("disconnected by server");
  }

  roomUpdated(room: Room): void {
    this.#signal.send({ case: "roomUpdate", value: new RoomUpdate({ room }) });
  }

  /** Called by a publisher session: start sending one of its tracks to this participant. */
  subscribeTo(publisher: RtcSession, trackSid: string): void {
    const track = publisher.#tracks.get(trackSid);
    if (!track || this.#ended || !this.info.permission?.canSubscribe) return;
    track.subscribers.add(this);
    this.#subscriber.addTrack(publisher.info.sid, trackSid);
  }

  unsubscribeFrom(publisher: RtcSession, trackSid: string): void {
    publisher.#tracks.get(trackSid)?.subscribers.delete(this);
    this.#subscriber.removeTrack(trackSid);
  }

  #join(): void {
    const admitted = this.#deps.registry.admit(this.#room, this, { autoCreate: this.#deps.autoCreateRooms });
    if (!admitted.ok) {
      this.#signal.send({
        case: "leave",
        value: new LeaveRequest({ canReconnect: false, action: LeaveRequest_Action.DISCONNECT }),
      });
      this.#signal.close(1008, admitted.message);
      return;
    }
    const others = this.#visibleOthers();
    const otherInfos = [...others.map((s) => s.info), ...(this.#echo ? [this.#echo.info] : [])];
    this.#signal.send({ case: "join", value: joinResponse(admitted.room, this.info, otherInfos) });
    this.#broadcast();
    this.#subscriber.start();
    if (!this.#autoSubscribe) return;
    for (const other of others) {
      for (const sid of other.#tracks.keys()) this.subscribeTo(other, sid);
    }
  }

  #enqueue(m: SignalRequestMessage): void {
    // Keepalive and leave never wait behind a negotiation.
    if (m.case === "ping" || m.case === "pingReq" || m.case === "leave") {
      void this.#onRequest(m);
      return;
    }
    if (m.case === "trickle" && !isUsableCandidate(m.value.candidateInit)) return;
    // Everything else is handled strictly in order. A request that fails or hangs (werift given
    // nonsense SDP) leaves the peer connections in an unknown state: that session ends, alone.
    const queued = this.#requests.push(
      `${m.case} request`,
      () => this.#onRequest(m),
      (why) => {
        if (m.case === "offer" || m.case === "answer") this.#endWithLeave(`invalid ${m.case}: ${why}`);
        else console.warn(`[livekit-dev-server] ${this.info.identity}: ${m.case} ignored: ${why}`);
      },
    );
    if (!queued) this.#endWithLeave("too many signal requests queued");
  }

  async #onRequest(m: SignalRequestMessage): Promise<void> {
    if (this.#ended) return;
    switch (m.case) {
      case "offer": {
        const problem = sdpProblem(m.value.sdp);
        if (problem) throw new Error(problem);
        const sdp = await this.#publisher.answer(m.value.sdp);
        this.#signal.send({
          case: "answer",
          value: new SessionDescription({ type: "answer", sdp, id: m.value.id }),
        });
        return;
      }
      case "answer": {
        const problem = sdpProblem(m.value.sdp);
        if (problem) throw new Error(problem);
        return this.#subscriber.applyAnswer(m.value.sdp);
      }
      case "trickle":
        return m.value.target === SignalTarget.SUBSCRIBER
          ? this.#subscriber.addCandidate(m.value.candidateInit)
          : this.#publisher.addCandidate(m.value.candidateInit);
      case "addTrack":
        return this.#onAddTrack(m.value);
      case "mute":
        return this.#onMute(m.value.sid, m.value.muted);
      case "subscription":
        return this.#onSubscription(m.value);
      case "updateMetadata":
        return this.#onUpdateMetadata(m.value);
      case "leave":
        this.#signal.close(1000, "client left");
        return;
      case "ping":
        this.#signal.send({ case: "pong", value: m.value });
        return;
      case "pingReq":
        this.#signal.send({
          case: "pongResp",
          value: new Pong({ lastPingTimestamp: m.value.timestamp, timestamp: BigInt(this.#deps.now()) }),
        });
        return;
      default:
        return;
    }
  }

  #onAddTrack(req: AddTrackRequest): void {
    if (!this.info.permission?.canPublish) return;
    const outcome = trackFromRequest(req, this.#tracks.size + this.#pendingByCid.size);
    if (!outcome.ok) {
      if (outcome.warn) console.warn(`[livekit-dev-server] ${this.info.identity}: ${outcome.reason}`);
      return;
    }
    const track = outcome.track;
    this.#pendingByCid.set(req.cid, track);
    this.#signal.send({ case: "trackPublished", value: new TrackPublishedResponse({ cid: req.cid, track }) });
  }

  #onMediaStarted(mid: string, trackId: string): void {
    const track = this.#pendingByCid.get(trackId);
    if (!track) return;
    this.#pendingByCid.delete(trackId);
    track.mid = mid;
    const previous = this.#midToSid.get(mid);
    if (previous) this.#unpublish(previous);
    this.#tracks.set(track.sid, { info: track, mid, subscribers: new Set() });
    this.#midToSid.set(mid, track.sid);
    this.info.tracks.push(track);
    this.info.isPublisher = true;
    this.#changed();
    this.#deps.registry.trackPublished(this.#room, this, track);
    this.#echo?.trackPublished(track.sid);
    for (const other of this.#others()) {
      if (other.#autoSubscribe) other.subscribeTo(this, track.sid);
    }
  }

  #unpublish(sid: string): void {
    const track = this.#tracks.get(sid);
    if (!track) return;
    this.#tracks.delete(sid);
    this.#midToSid.delete(track.mid);
    this.info.tracks = this.info.tracks.filter((t) => t.sid !== sid);
    for (const s of [...track.subscribers]) s.unsubscribeFrom(this, sid);
    this.#changed();
    this.#deps.registry.trackUnpublished(this.#room, this, track.info);
    this.#echo?.trackUnpublished(sid);
  }

  #onMute(sid: string, muted: boolean): void {
    const track = this.#tracks.get(sid)?.info ?? [...this.#pendingByCid.values()].find((t) => t.sid === sid);
    if (!track || track.muted === muted) return;
    track.muted = muted;
    this.#changed();
  }

  #onSubscription(req: UpdateSubscription): void {
    const wanted = new Set(req.trackSids);
    for (const pt of req.participantTracks) for (const sid of pt.trackSids) wanted.add(sid);
    for (const other of this.#others()) {
      for (const sid of other.#tracks.keys()) {
        if (!wanted.has(sid)) continue;
        if (req.subscribe) this.subscribeTo(other, sid);
        else this.unsubscribeFrom(other, sid);
      }
    }
  }

  #onUpdateMetadata(req: UpdateParticipantMetadata): void {
    const { reason, message, applied } = applyMetadataUpdate(this.info, req);
    if (applied) this.#changed(true);
    this.#signal.send({
      case: "requestResponse",
      value: new RequestResponse({ requestId: req.requestId, reason, message }),
    });
  }

  #onRtp(mid: string, packet: RtpPacket): void {
    const sid = this.#midToSid.get(mid);
    const track = sid ? this.#tracks.get(sid) : undefined;
    if (!sid || !track) return;
    this.#echo?.rtp(sid, packet);
    for (const s of track.subscribers) s.#subscriber.forward(sid, packet);
  }

  #onData(raw: Buffer, reliable: boolean): void {
    if (!this.info.permission?.canPublishData) return;
    const routed = routeDataPacket(raw, { identity: this.info.identity, sid: this.info.sid });
    if (!routed.ok) {
      console.warn(`[livekit-dev-server] ${this.info.identity}: dropped data: ${routed.reason}`);
      return;
    }
    for (const other of this.#others()) {
      if (routed.destinations && !routed.destinations.has(other.info.identity)) continue;
      other.#subscriber.sendData(routed.bytes, reliable);
    }
  }

  /** Bumps the version and tells the others (and, for self-initiated edits, the participant too). */
  #changed(includeSelf = false): void {
    this.info.version += 1;
    this.#broadcast(includeSelf);
  }

  #broadcast(includeSelf = false): void {
    if (this.info.permission?.hidden) return;
    const update = new ParticipantUpdate({ participants: [this.info] });
    for (const other of this.#others()) other.#signal.send({ case: "update", value: update });
    if (includeSelf) this.#signal.send({ case: "update", value: update });
  }

  #others(): RtcSession[] {
    return this.#deps.registry
      .sessions(this.#room)
      .filter((s): s is RtcSession => s instanceof RtcSession && s !== this);
  }

  #visibleOthers(): RtcSession[] {
    return this.#others().filter((s) => !s.info.permission?.hidden);
  }

  #endWithLeave(why: string): void {
    if (!this.#ended)
      console.warn(`[livekit-dev-server] ${this.#room}/${this.info.identity}: ending session: ${why}`);
    this.#signal.send({
      case: "leave",
      value: new LeaveRequest({ canReconnect: false, action: LeaveRequest_Action.DISCONNECT }),
    });
    this.#signal.close(1011, why);
    this.#end(why);
  }

  #end(why: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#echo?.close();
    this.info.state = ParticipantInfo_State.DISCONNECTED;
    this.#deps.registry.depart(this.#room, this);
    for (const sid of [...this.#tracks.keys()]) {
      const track = this.#tracks.get(sid);
      for (const s of track ? [...track.subscribers] : []) s.unsubscribeFrom(this, sid);
    }
    for (const other of this.#others()) {
      for (const [sid, track] of other.#tracks) if (track.subscribers.delete(this)) void sid;
    }
    this.#changed();
    this.#signal.close(1000, why);
    void Promise.allSettled([this.#publisher.close(), this.#subscriber.close()]);
  }
}
