/**
 * `spar serve` on Node: the gateway's composition root below the CLI. Opens `<data>/gateway.db`
 * (libSQL, migrations applied), the secret key (SPAR_SECRET_KEY or `<data>/secret.key`), creates
 * workspace `default` with user `local` and a key on the first start (written to
 * `<data>/api-key`, mode 0600), builds the app over the Node adapters and listens. `close()`
 * stops accepting, ends the runs in flight (each recorded) and closes storage.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { createGatewayApp } from "../../app/gateway-app.ts";
import type { Log } from "../../app/http-errors.ts";
import { provisionWorkspace } from "../../app/provision.ts";
import type { GatewayServices } from "../../app/services.ts";
import { hasAnyWorkspace } from "../../db/repositories/workspaces.ts";
import type { RunRecorder } from "../../runs/text-run-host.ts";
import { bytesToBase64 } from "../../security/base64.ts";
import { checkUrlAtConnect } from "../../security/outbound-url.ts";
import { createSecretBoxFromKeys } from "../../security/secret-box.ts";
import { createDnsResolver } from "./dns-resolver.ts";
import type { GatewayConfig } from "./gateway-config.ts";
import { InProcessTextRunHost } from "./in-process-text-run-host.ts";
import { openLibsqlStorage } from "./libsql-storage.ts";
import { loadOrCreateSecretKeyFile } from "./secret-key-file.ts";

export interface StartGatewayOptions {
  port: number;
  host: string;
  dataDir: string;
  config: GatewayConfig;
  log: Log;
  /** Text runs at once per workspace. */
  runsPerWorkspace?: number;
  /** Stores what text runs do; built from the services (storage-backed in `spar serve`). */
  recorder: (services: Omit<GatewayServices, "textRuns">) => RunRecorder;
  now?: () => number;
}

export interface RunningGateway {
  url: string;
  /** Set on the first start only: the new workspace's key, also in `<data>/api-key`. */
  firstStartKey: string | undefined;
  apiKeyFile: string;
  services: GatewayServices;
  close(): Promise<void>;
}

export const API_KEY_FILE = "api-key";

export async function startGateway(o: StartGatewayOptions): Promise<RunningGateway> {
  const now = o.now ?? Date.now;
  const storage = await openLibsqlStorage(join(o.dataDir, "gateway.db"));
  const key = o.config.secretKey
    ? bytesToBase64(o.config.secretKey)
    : (await loadOrCreateSecretKeyFile(o.dataDir)).key;
  const resolver = createDnsResolver();
  const base: Omit<GatewayServices, "textRuns"> = {
    db: storage.db,
    secrets: await createSecretBoxFromKeys(key),
    outboundPolicy: o.config.outboundPolicy,
    wakeWebhooks: () => undefined,
    publicUrl: "",
    adminToken: o.config.adminToken,
    credits: { enabled: o.config.credits, textRunCost: 1, voiceRunCost: 10 },
    now,
    log: o.log,
  };
  const textRuns = new InProcessTextRunHost({
    recorder: o.recorder(base),
    perWorkspace: o.runsPerWorkspace ?? 20,
    checkUrl: async (url) => {
      const check = await checkUrlAtConnect(url, o.config.outboundPolicy, resolver);
      return check.ok ? undefined : check.message;
    },
    now,
    log: (message, cause) => o.log({ level: "error", message, cause }),
  });
  const services: GatewayServices = { ...base, textRuns };

  const apiKeyFile = join(o.dataDir, API_KEY_FILE);
  let firstStartKey: string | undefined;
  if (!(await hasAnyWorkspace(storage.db))) {
    const first = await provisionWorkspace(storage.db, {
      workspaceName: "default",
      userName: "local",
      keyName: "first start",
      nowMs: now(),
    });
    await writeFile(apiKeyFile, `${first.apiKey}\n`, { mode: 0o600 });
    firstStartKey = first.apiKey;
  }

  let requests = 0;
  const app = createGatewayApp(services, () => `req_${Date.now().toString(36)}_${(++requests).toString(36)}`);
  const server = serve({ fetch: app.fetch, hostname: o.host, port: o.port });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the gateway is not listening on TCP");
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  services.publicUrl = o.config.publicUrl?.replace(/\/+$/, "") ?? url;

  return {
    url,
    firstStartKey,
    apiKeyFile,
    services,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await textRuns.stop("the gateway is shutting down");
      if ("closeAllConnections" in server) server.closeAllConnections();
      await closed;
      storage.close();
    },
  };
}
