import {
  type AvailabilityResponse,
  JobType,
  type ParticipantPermission,
  RegisterWorkerResponse,
  ServerInfo,
  ServerInfo_Edition,
  ServerMessage,
  type UpdateJobStatus,
  WorkerMessage,
  WorkerPong,
  WorkerStatus,
} from "@livekit/protocol";
import type { WebSocket } from "ws";
import { agentId } from "./agent-ids.ts";

/** What the dispatcher hears from one worker connection. */
export interface WorkerEvents {
  registered(worker: WorkerConnection): void;
  availability(worker: WorkerConnection, answer: AvailabilityResponse): void;
  statusChanged(worker: WorkerConnection): void;
  jobUpdated(worker: WorkerConnection, update: UpdateJobStatus): void;
  closed(worker: WorkerConnection): void;
}

export interface WorkerLimits {
  registerTimeoutMs: number;
  /** Server pings at this interval; a worker that misses one round is dropped. */
  heartbeatMs: number;
  maxMessagesPerSecond: number;
}

const MAX_AGENT_NAME_LENGTH = 256;

/**
 * One `/agent` WebSocket speaking agents-js's worker protocol: binary protobuf `WorkerMessage`
 * in, `ServerMessage` out, `register` first. Anything else closes the socket with a reason
 * instead of reaching the dispatcher.
 */
export class WorkerConnection {
  readonly id = agentId("AW_");
  agentName = "";
  type: JobType = JobType.JT_ROOM;
  permissions: ParticipantPermission | undefined;
  status: WorkerStatus = WorkerStatus.WS_AVAILABLE;
  load = 0;
  isRegistered = false;
  #closed = false;
  #alive = true;
  #windowStart = 0;
  #windowCount = 0;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly ws: WebSocket,
    /** API key the worker authenticated with; its jobs' tokens are signed with the same key. */
    readonly apiKey: string,
    private readonly events: WorkerEvents,
    private readonly limits: WorkerLimits,
  ) {
    ws.on("message", (data, isBinary) => this.#onFrame(data, isBinary));
    ws.on("pong", () => {
      this.#alive = true;
    });
    ws.on("close", () => this.#onClosed());
    ws.on("error", () => this.#onClosed());
    this.#timers.push(
      setTimeout(() => {
        if (!this.isRegistered)
          this.close(1008, "no register message in time: send WorkerMessage.register first");
      }, limits.registerTimeoutMs),
      setInterval(() => {
        if (!this.#alive) {
          ws.terminate();
          return;
        }
        this.#alive = false;
        ws.ping();
      }, limits.heartbeatMs),
    );
  }

  get isOpen(): boolean {
    return !this.#closed;
  }

  get isAvailable(): boolean {
    return this.isRegistered && !this.#closed && this.status === WorkerStatus.WS_AVAILABLE;
  }

  send(message: ServerMessage["message"]): void {
    if (this.#closed) return;
    this.ws.send(new ServerMessage({ message }).toBinary());
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    // Close reasons are limited to 123 bytes by the WebSocket spec.
    this.ws.close(code, reason.slice(0, 120));
    this.#onClosed();
  }

  #onFrame(data: unknown, isBinary: boolean): void {
    if (this.#closed) return;
    if (!this.#withinRate()) {
      this.close(1008, `more than ${this.limits.maxMessagesPerSecond} messages per second`);
      return;
    }
    if (!isBinary || !(data instanceof Buffer)) {
      this.close(1003, "worker messages are binary protobuf WorkerMessage frames");
      return;
    }
    let msg: WorkerMessage;
    try {
      msg = WorkerMessage.fromBinary(data);
    } catch {
      this.close(1007, "frame is not a valid livekit.WorkerMessage");
      return;
    }
    const m = msg.message;
    if (!this.isRegistered && m.case !== "register") {
      this.close(1008, "the first message must be register");
      return;
    }
    switch (m.case) {
      case "register": {
        if (this.isRegistered) {
          this.close(1008, "register was sent twice");
          return;
        }
        if (m.value.agentName.length > MAX_AGENT_NAME_LENGTH) {
          this.close(1008, `agent_name is longer than ${MAX_AGENT_NAME_LENGTH} characters`);
          return;
        }
        this.agentName = m.value.agentName;
        this.type = m.value.type;
        this.permissions = m.value.allowedPermissions;
        this.isRegistered = true;
        this.send({
          case: "register",
          value: new RegisterWorkerResponse({
            workerId: this.id,
            serverInfo: new ServerInfo({
              edition: ServerInfo_Edition.Standard,
              version: "1.9.0",
              protocol: 16,
              nodeId: "livekit-dev-server",
            }),
          }),
        });
        this.events.registered(this);
        return;
      }
      case "availability":
        this.events.availability(this, m.value);
        return;
      case "updateWorker":
        if (m.value.status !== undefined) this.status = m.value.status;
        this.load = Number.isFinite(m.value.load) ? m.value.load : 0;
        this.events.statusChanged(this);
        return;
      case "updateJob":
        this.events.jobUpdated(this, m.value);
        return;
      case "ping":
        this.send({
          case: "pong",
          value: new WorkerPong({ lastTimestamp: m.value.timestamp, timestamp: BigInt(Date.now()) }),
        });
        return;
      default:
        // simulateJob / migrateJob / newer messages: not supported by the dev server; ignored
        // rather than fatal so newer workers keep working.
        return;
    }
  }

  #withinRate(): boolean {
    const now = Date.now();
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#windowCount = 0;
    }
    this.#windowCount += 1;
    return this.#windowCount <= this.limits.maxMessagesPerSecond;
  }

  #onClosed(): void {
    for (const t of this.#timers) clearTimeout(t);
    if (this.#closed) return;
    this.#closed = true;
    this.events.closed(this);
  }
}
