import {
  AddTrackRequest,
  SessionDescription,
  SignalRequest,
  SignalResponse,
  TrackSource,
  TrackType,
} from "@livekit/protocol";
import { MediaStream, RTCPeerConnection } from "werift";
import WebSocket from "ws";

type ResponseCase = NonNullable<SignalResponse["message"]["case"]>;
type ResponseValue<C extends ResponseCase> = Extract<SignalResponse["message"], { case: C }>["value"];

/**
 * A protocol-level LiveKit client for tests that a real SDK cannot drive: misbehaving clients,
 * and features rtc-node 1.1 has no API for (muting a local track).
 */
export class RawSignalClient {
  readonly #ws: WebSocket;
  readonly #inbox: SignalResponse["message"][] = [];
  readonly #waiters = new Set<() => void>();
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (data, isBinary) => {
      if (!isBinary || !Buffer.isBuffer(data)) return;
      this.#inbox.push(SignalResponse.fromBinary(data).message);
      for (const w of this.#waiters) w();
    });
    this.closed = new Promise((resolve) =>
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Opens `/rtc` like rtc-node does; rejects with the HTTP status and body if refused. */
  static connect(url: string, token: string, path = "/rtc"): Promise<RawSignalClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url}${path}?protocol=16&auto_subscribe=1&sdk=raw-test`, {
        headers: { authorization: `Bearer ${token}` },
      });
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (c: Buffer) => {
          body += c.toString();
        });
        res.on("end", () => reject(new Error(`HTTP ${res.statusCode}: ${body}`)));
      });
      ws.once("error", reject);
      ws.once("open", () => resolve(new RawSignalClient(ws)));
    });
  }

  send(message: SignalRequest["message"]): void {
    this.#ws.send(new SignalRequest({ message }).toBinary());
  }

  sendRaw(data: Buffer | string, binary = true): void {
    this.#ws.send(data, { binary });
  }

  /** The next server message of this kind (earlier ones of other kinds stay queued). */
  async next<C extends ResponseCase>(kind: C, timeoutMs = 10_000): Promise<ResponseValue<C>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#inbox.findIndex((m) => m.case === kind);
      if (i >= 0) {
        const [m] = this.#inbox.splice(i, 1);
        return m?.value as ResponseValue<C>;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${kind} message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.#waiters.delete(done);
          resolve();
        };
        const t = setTimeout(done, left);
        this.#waiters.add(done);
      });
    }
  }

  /**
   * Announces an audio track and negotiates a publisher offer carrying it (no media flows: this
   * client never completes ICE). Returns the track sid the server assigned.
   */
  async publishSilentTrack(cid: string): Promise<{ sid: string; pc: RTCPeerConnection }> {
    this.send({
      case: "addTrack",
      value: new AddTrackRequest({ cid, name: cid, type: TrackType.AUDIO, source: TrackSource.MICROPHONE }),
    });
    const published = await this.next("trackPublished");
    const pc = new RTCPeerConnection({});
    const t = pc.addTransceiver("audio", {
      direction: "sendonly",
      streams: [new MediaStream({ id: "stream" })],
    });
    Object.defineProperty(t.sender, "trackId", { value: cid, writable: true });
    const offer = await pc.setLocalDescription(await pc.createOffer());
    this.send({
      case: "offer",
      value: new SessionDescription({ type: "offer", sdp: offer.toSdp().sdp, id: 1 }),
    });
    const answer = await this.next("answer");
    await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    return { sid: published.track?.sid ?? "", pc };
  }

  close(): void {
    this.#ws.close();
  }

  terminate(): void {
    this.#ws.terminate();
  }
}
