/**
 * The runtimes the gateway contract suite runs against. Each target starts a fresh gateway on
 * loopback and hands back its base URL and the first-start API key; the suite only speaks HTTP,
 * so the same files run unchanged against every runtime (Workers joins this list later).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type GatewayConfig, parseGatewayEnv, startGateway } from "@spar/gateway/node";

export interface RunningTarget {
  baseUrl: string;
  apiKey: string;
  close(): Promise<void>;
}

export interface GatewayTarget {
  name: string;
  start(env?: Record<string, string>): Promise<RunningTarget>;
}

export const nodeTarget: GatewayTarget = {
  name: "node (spar serve)",
  async start(env = {}) {
    const dir = await mkdtemp(join(tmpdir(), "spar-contract-"));
    const parsed = parseGatewayEnv(env);
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    const config: GatewayConfig = parsed.config;
    const gateway = await startGateway({
      port: 0,
      host: "127.0.0.1",
      dataDir: dir,
      config,
      log: () => undefined,
    });
    return {
      baseUrl: gateway.url,
      apiKey: gateway.firstStartKey ?? "",
      async close() {
        await gateway.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

export const TARGETS: GatewayTarget[] = [nodeTarget];
