import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  AgentDispatch,
  AgentDispatchState,
  AvailabilityRequest,
  type AvailabilityResponse,
  Job,
  JobAssignment,
  JobState,
  JobStatus,
  JobTermination,
  JobType,
  type Room,
  type UpdateJobStatus,
} from "@livekit/protocol";
import { WebSocketServer } from "ws";
import type { RegistryEvent, RoomRegistry } from "../room-registry.ts";
import { bearerToken, verifyAccessToken } from "../token-claims.ts";
import { agentId } from "./agent-ids.ts";
import { mintJobToken } from "./job-token.ts";
import { type WorkerConnection as Worker, WorkerConnection, type WorkerLimits } from "./worker-connection.ts";

export interface AgentDispatcherDeps {
  registry: RoomRegistry;
  keys: ReadonlyMap<string, string>;
  /** Base ws:// URL of the dev server, handed to workers in job assignments. */
  wsUrl: () => string;
  /** Overrides for tests; production uses the defaults below. */
  limits?: Partial<DispatcherLimits>;
}

export interface DispatcherLimits extends WorkerLimits {
  maxWorkers: number;
  maxFrameBytes: number;
  /** How long a worker has to answer an AvailabilityRequest before the next one is asked. */
  availabilityTimeoutMs: number;
  maxDispatchesPerRoom: number;
}

const DEFAULT_LIMITS: DispatcherLimits = {
  maxWorkers: 64,
  maxFrameBytes: 256 * 1024,
  availabilityTimeoutMs: 10_000,
  maxDispatchesPerRoom: 64,
  registerTimeoutMs: 10_000,
  heartbeatMs: 15_000,
  maxMessagesPerSecond: 200,
};

/** A dispatch was refused because a bound was reached (not a server fault). */
export class DispatchLimitError extends Error {}

interface JobEntry {
  job: Job;
  /** Workers that refused or timed out for this job; not asked again. */
  tried: Set<string>;
  offeredTo: Worker | undefined;
  offerTimer: NodeJS.Timeout | undefined;
  assignedTo: Worker | undefined;
}

/**
 * Hands rooms to `@livekit/agents` workers over `/agent`, like livekit-server's agent service:
 * explicit dispatches (CreateDispatch, CreateRoom.agents) go to workers registered under that
 * agent name; every new room goes to one unnamed worker (automatic dispatch). A job no worker
 * can take stays pending and is offered again when a matching worker registers or frees up.
 */
export class AgentDispatcher {
  readonly #deps: AgentDispatcherDeps;
  readonly #limits: DispatcherLimits;
  readonly #wss: WebSocketServer;
  readonly #workers = new Set<Worker>();
  /** Explicit dispatches by room name. */
  readonly #dispatches = new Map<string, AgentDispatch[]>();
  readonly #jobs = new Map<string, JobEntry>();
  readonly #unsubscribe: () => void;
  #closed = false;

  constructor(deps: AgentDispatcherDeps) {
    this.#deps = deps;
    this.#limits = { ...DEFAULT_LIMITS, ...deps.limits };
    // perMessageDeflate off: no decompression bombs; maxPayload bounds every frame.
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.#limits.maxFrameBytes,
      perMessageDeflate: false,
    });
    this.#unsubscribe = deps.registry.on((e) => this.#onRegistryEvent(e));
  }

  /** Accepts a worker on `/agent` once its token carries the `agent` grant. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => socket.destroy());
    void this.#upgrade(req, socket, head).catch((err: unknown) => {
      console.error("[livekit-dev-server] /agent upgrade failed:", err);
      refuse(socket, 500, "internal error");
    });
  }

  createDispatch(input: { room: string; agentName: string; metadata: string }): AgentDispatch {
    const registry = this.#deps.registry;
    const list = this.#dispatches.get(input.room) ?? [];
    if (list.length >= this.#limits.maxDispatchesPerRoom) {
      throw new DispatchLimitError(
        `room "${input.room}" already has ${list.length} dispatches; delete some first`,
      );
    }
    // Dispatching into a room that does not exist yet creates it, so the agent is waiting when callers join.
    const room = registry.getRoom(input.room) ?? registry.createRoom({ name: input.room });
    const dispatch = new AgentDispatch({
      id: agentId("AD_"),
      agentName: input.agentName,
      room: input.room,
      metadata: input.metadata,
      state: new AgentDispatchState({ createdAt: BigInt(Date.now()) }),
    });
    list.push(dispatch);
    this.#dispatches.set(input.room, list);
    this.#startJob(dispatch, room);
    return dispatch;
  }

  listDispatches(room: string): AgentDispatch[] {
    return [...(this.#dispatches.get(room) ?? [])];
  }

  deleteDispatch(room: string, dispatchId: string): AgentDispatch | undefined {
    const list = this.#dispatches.get(room);
    const dispatch = list?.find((d) => d.id === dispatchId);
    if (!list || !dispatch) return undefined;
    list.splice(list.indexOf(dispatch), 1);
    if (list.length === 0) this.#dispatches.delete(room);
    if (dispatch.state) dispatch.state.deletedAt = BigInt(Date.now());
    for (const entry of [...this.#jobs.values()]) {
      if (entry.job.dispatchId === dispatchId) this.#endJob(entry, JobStatus.JS_SUCCESS, "");
    }
    return dispatch;
  }

  /** Registered workers, for diagnostics and tests. */
  workers(): { id: string; agentName: string; available: boolean }[] {
    return [...this.#workers]
      .filter((w) => w.isRegistered)
      .map((w) => ({ id: w.id, agentName: w.agentName, available: w.isAvailable }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    for (const entry of this.#jobs.values()) clearTimeout(entry.offerTimer);
    this.#jobs.clear();
    for (const w of [...this.#workers]) w.close(1001, "server shutting down");
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (this.#closed) return refuse(socket, 503, "server is shutting down");
    if (this.#workers.size >= this.#limits.maxWorkers) {
      return refuse(socket, 503, `at most ${this.#limits.maxWorkers} workers may connect`);
    }
    const verified = await verifyAccessToken(
      bearerToken(req.headers.authorization, new URLSearchParams()),
      this.#deps.keys,
    );
    if (!verified.ok) return refuse(socket, 401, verified.message);
    if (!verified.claims.video?.agent) {
      return refuse(
        socket,
        401,
        "token lacks the agent grant: workers mint theirs with `addGrant({ agent: true })`",
      );
    }
    const apiKey = verified.claims.iss;
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const worker = new WorkerConnection(ws, apiKey, this.#workerEvents, this.#limits);
      if (this.#closed) worker.close(1001, "server shutting down");
      else this.#workers.add(worker);
    });
  }

  readonly #workerEvents = {
    registered: (_w: Worker) => this.#offerPending(),
    statusChanged: (w: Worker) => {
      if (w.isAvailable) this.#offerPending();
    },
    availability: (w: Worker, answer: AvailabilityResponse) => {
      this.#onAvailability(w, answer).catch((err: unknown) => {
        // Never an unhandled rejection (it would end the process): log and offer the job elsewhere.
        console.error("[livekit-dev-server] job assignment failed:", err);
        const entry = this.#jobs.get(answer.jobId);
        if (entry && !entry.assignedTo) this.#declined(entry, w);
      });
    },
    jobUpdated: (w: Worker, update: UpdateJobStatus) => this.#onJobUpdate(w, update),
    closed: (w: Worker) => this.#onWorkerClosed(w),
  };

  #onRegistryEvent(e: RegistryEvent): void {
    if (this.#closed) return;
    if (e.type === "room_started") {
      // Automatic dispatch: one unnamed worker per new room. Not listed by ListDispatch, as on livekit-server.
      this.#startJob(new AgentDispatch({ id: "", agentName: "", room: e.room.name, metadata: "" }), e.room);
    } else if (e.type === "room_finished") {
      this.#dispatches.delete(e.room.name);
      for (const entry of [...this.#jobs.values()]) {
        if (entry.job.room?.name === e.room.name) this.#endJob(entry, JobStatus.JS_SUCCESS, "");
      }
    }
  }

  #startJob(dispatch: AgentDispatch, room: Room): void {
    const job = new Job({
      id: agentId("AJ_"),
      dispatchId: dispatch.id,
      type: JobType.JT_ROOM,
      room,
      metadata: dispatch.metadata,
      agentName: dispatch.agentName,
      state: new JobState({ status: JobStatus.JS_PENDING, updatedAt: BigInt(Date.now()) }),
    });
    dispatch.state?.jobs.push(job);
    const entry: JobEntry = {
      job,
      tried: new Set(),
      offeredTo: undefined,
      offerTimer: undefined,
      assignedTo: undefined,
    };
    this.#jobs.set(job.id, entry);
    this.#offer(entry);
  }

  /** Offers a pending job to the least-loaded matching worker that has not refused it. */
  #offer(entry: JobEntry): void {
    if (entry.offeredTo || entry.assignedTo) return;
    const candidates = [...this.#workers].filter(
      (w) =>
        w.isAvailable &&
        w.type === JobType.JT_ROOM &&
        w.agentName === entry.job.agentName &&
        !entry.tried.has(w.id),
    );
    candidates.sort((a, b) => this.#jobCount(a) - this.#jobCount(b) || a.load - b.load);
    const worker = candidates[0];
    if (!worker) return;
    entry.offeredTo = worker;
    entry.offerTimer = setTimeout(() => this.#declined(entry, worker), this.#limits.availabilityTimeoutMs);
    worker.send({
      case: "availability",
      value: new AvailabilityRequest({ job: entry.job, resuming: false }),
    });
  }

  #offerPending(): void {
    for (const entry of this.#jobs.values()) {
      if (!entry.assignedTo && !entry.offeredTo) this.#offer(entry);
    }
  }

  #declined(entry: JobEntry, worker: Worker): void {
    if (entry.offeredTo !== worker) return;
    clearTimeout(entry.offerTimer);
    entry.offeredTo = undefined;
    entry.offerTimer = undefined;
    entry.tried.add(worker.id);
    this.#offer(entry);
  }

  async #onAvailability(worker: Worker, answer: AvailabilityResponse): Promise<void> {
    const entry = this.#jobs.get(answer.jobId);
    // Answers for jobs not offered to this worker (late, forged, duplicated) change nothing.
    if (!entry || entry.offeredTo !== worker) return;
    if (!answer.available) {
      this.#declined(entry, worker);
      return;
    }
    // Stays offered to this worker while the token is signed, so no one else is offered it meanwhile.
    clearTimeout(entry.offerTimer);
    entry.offerTimer = undefined;
    const room = entry.job.room?.name ?? "";
    const identity = answer.participantIdentity || `agent-${entry.job.id}`;
    const secret = this.#deps.keys.get(worker.apiKey);
    if (secret === undefined) throw new Error(`worker key "${worker.apiKey}" is no longer configured`);
    const token = await mintJobToken({
      apiKey: worker.apiKey,
      apiSecret: secret,
      room,
      identity,
      name: answer.participantName,
      metadata: answer.participantMetadata,
      attributes: answer.participantAttributes,
      permissions: worker.permissions,
    });
    // The job may have ended (room finished, dispatch deleted) or the worker left while signing.
    if (!this.#jobs.has(entry.job.id) || entry.offeredTo !== worker) return;
    if (!worker.isOpen) {
      this.#declined(entry, worker);
      return;
    }
    entry.offeredTo = undefined;
    entry.assignedTo = worker;
    entry.job.state = new JobState({
      status: JobStatus.JS_RUNNING,
      startedAt: BigInt(Date.now()),
      updatedAt: BigInt(Date.now()),
      participantIdentity: identity,
      workerId: worker.id,
    });
    worker.send({
      case: "assignment",
      value: new JobAssignment({ job: entry.job, url: this.#deps.wsUrl(), token }),
    });
  }

  #onJobUpdate(worker: Worker, update: UpdateJobStatus): void {
    const entry = this.#jobs.get(update.jobId);
    if (!entry || entry.assignedTo !== worker) return;
    if (update.status === JobStatus.JS_SUCCESS || update.status === JobStatus.JS_FAILED) {
      this.#finish(entry, update.status, update.error.slice(0, 1024), false);
    } else if (entry.job.state) {
      entry.job.state.status = update.status;
      entry.job.state.updatedAt = BigInt(Date.now());
    }
  }

  #onWorkerClosed(worker: Worker): void {
    this.#workers.delete(worker);
    for (const entry of [...this.#jobs.values()]) {
      if (entry.offeredTo === worker) this.#declined(entry, worker);
      else if (entry.assignedTo === worker)
        this.#finish(entry, JobStatus.JS_FAILED, "worker disconnected", false);
    }
  }

  /** Ends a job on the server's initiative (room gone, dispatch deleted): the worker is told to stop. */
  #endJob(entry: JobEntry, status: JobStatus, error: string): void {
    this.#finish(entry, status, error, true);
  }

  #finish(entry: JobEntry, status: JobStatus, error: string, terminate: boolean): void {
    clearTimeout(entry.offerTimer);
    this.#jobs.delete(entry.job.id);
    const now = BigInt(Date.now());
    const state = entry.job.state ?? new JobState();
    state.status = status;
    state.error = error;
    state.endedAt = now;
    state.updatedAt = now;
    entry.job.state = state;
    if (terminate && entry.assignedTo) {
      entry.assignedTo.send({ case: "termination", value: new JobTermination({ jobId: entry.job.id }) });
    }
  }

  #jobCount(worker: Worker): number {
    let n = 0;
    for (const entry of this.#jobs.values())
      if (entry.assignedTo === worker || entry.offeredTo === worker) n += 1;
    return n;
  }
}

function refuse(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : status === 503 ? "Service Unavailable" : "Error"}\r\n` +
      `content-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
