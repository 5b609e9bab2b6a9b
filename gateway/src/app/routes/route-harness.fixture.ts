/**
 * For route tests: the real gateway app over a real libSQL file in a temp folder, with one
 * provisioned workspace (and a second one, for tenancy checks), the in-process text run host
 * and a fixed clock unless one is given. `call` sends a request with a workspace's key.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InProcessTextRunHost } from "../../runtime/node/in-process-text-run-host.ts";
import { openLibsqlStorage } from "../../runtime/node/libsql-storage.ts";
import { createSecretBoxFromKeys } from "../../security/secret-box.ts";
import { generateSecretKey } from "../../security/secret-key.ts";
import { sdkLivekitRoomAdmin } from "../../voice/livekit-admin.ts";
import { httpSessionEndpointCaller } from "../../voice/session-endpoint.ts";
import { sessionsNotObserved } from "../../voice/session-ports.ts";
import { createGatewayApp } from "../gateway-app.ts";
import type { LogEntry } from "../http-errors.ts";
import { type ProvisionedWorkspace, provisionWorkspace } from "../provision.ts";
import type { GatewayServices } from "../services.ts";

/** The clock is fixed in route tests: no refill, so no limit (the limit has its own test). */
const UNLIMITED = { ratePerSec: 1, burst: Number.MAX_SAFE_INTEGER };

export interface RouteHarness {
  services: GatewayServices;
  a: ProvisionedWorkspace;
  b: ProvisionedWorkspace;
  logs: LogEntry[];
  /** Every response body `call` received, as JSON text: for leak scans over a whole test file. */
  bodies: string[];
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers of every route's shape
  call(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: any }>;
  /** Sends a request as it is (own headers, no key added) to the same app. */
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function startRouteHarness(overrides: Partial<GatewayServices> = {}): Promise<RouteHarness> {
  const dir = await mkdtemp(join(tmpdir(), "spar-routes-"));
  const storage = await openLibsqlStorage(join(dir, "gateway.db"));
  const logs: LogEntry[] = [];
  const now = overrides.now ?? (() => Date.parse("2026-12-04T12:00:00Z"));
  const textRuns =
    overrides.textRuns ??
    new InProcessTextRunHost({
      recorder: {
        started: async () => undefined,
        transcript: async () => undefined,
        finished: async () => undefined,
      },
      perWorkspace: 4,
      checkUrl: async () => undefined,
      now,
      log: () => undefined,
    });
  const services: GatewayServices = {
    db: storage.db,
    secrets: await createSecretBoxFromKeys(generateSecretKey()),
    outboundPolicy: "loopback",
    textRuns,
    livekit: {
      rooms: sdkLivekitRoomAdmin(async () => undefined),
      callSessionEndpoint: httpSessionEndpointCaller({ fetch, checkUrl: async () => undefined }),
      onSessionStarted: sessionsNotObserved,
    },
    wakeWebhooks: () => undefined,
    publicUrl: "http://127.0.0.1:8787",
    adminToken: undefined,
    credits: { enabled: false, textRunCost: 1, voiceRunCost: 10 },
    now,
    log: (e) => logs.push(e),
    ...overrides,
  };
  const names = (n: string) => ({ workspaceName: n, userName: "local", keyName: "default", nowMs: now() });
  const a = await provisionWorkspace(services.db, names("a"));
  const b = await provisionWorkspace(services.db, names("b"));
  const bodies: string[] = [];
  let requests = 0;
  const app = createGatewayApp(services, () => `req_${++requests}`, UNLIMITED);
  return {
    services,
    a,
    b,
    logs,
    bodies,
    async call(method, path, body, key = a.apiKey) {
      const res = await app.request(path, {
        method,
        headers: { "X-API-Key": key, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      const answer = text === "" ? undefined : JSON.parse(text);
      bodies.push(JSON.stringify(answer ?? null));
      return { status: res.status, body: answer };
    },
    request: async (path, init) => app.request(path, init),
    async close() {
      await textRuns.stop("the test is over");
      storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
