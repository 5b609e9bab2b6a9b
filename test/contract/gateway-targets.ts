/**
 * The runtimes the gateway contract suite runs against. Each target starts a fresh gateway on
 * loopback and hands back its base URL, the first-start API key, every line it logged, and a
 * way to restart it on the same data; the suite only speaks HTTP, so the same files run
 * unchanged against every runtime: Node (`spar serve`) and Workers (`spar serve --runtime
 * workers`, the Worker in workerd through wrangler dev). Known differences between the runtimes
 * are skips in the files, each with its reason (`skipOn`).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logLine } from "@spar/gateway";
import { parseGatewayEnv, startGateway, startWorkersDev } from "@spar/gateway/node";

export interface RunningTarget {
  /** The current base URL; a restart may change it (it also answers the new one). */
  readonly baseUrl: string;
  /** The first-start key of workspace `default`. */
  readonly apiKey: string;
  /** Every line the gateway logged so far, across restarts, each with its cause written out. */
  readonly logs: readonly string[];
  /**
   * Stops the gateway (as SIGTERM would) and starts it again on the same data. `whileStopped`
   * runs in between: a gateway retries what it owes as it starts, before `restart` resolves.
   */
  restart(whileStopped?: () => void): Promise<string>;
  close(): Promise<void>;
}

export interface GatewayTarget {
  name: string;
  runtime: "node" | "workers";
  /** `env`: the gateway's environment variables, as `spar serve` would read them. */
  start(env?: Record<string, string>): Promise<RunningTarget>;
}

/** A started gateway as a target: `open(0)` first, the same port again on restart, `dir` removed on close. */
async function restartable(
  dir: string,
  logs: string[],
  open: (
    port: number,
  ) => Promise<{ url: string; firstStartKey?: string | undefined; close(): Promise<void> }>,
): Promise<RunningTarget> {
  let gateway = await open(0);
  const apiKey = gateway.firstStartKey ?? "";
  return {
    get baseUrl() {
      return gateway.url;
    },
    apiKey,
    logs,
    async restart(whileStopped) {
      const port = Number(new URL(gateway.url).port);
      await gateway.close();
      whileStopped?.();
      // The same port, so clients (and webhook report links) keep their base URL.
      gateway = await open(port);
      return gateway.url;
    },
    async close() {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const nodeTarget: GatewayTarget = {
  name: "node (spar serve)",
  runtime: "node",
  async start(env = {}) {
    const dir = await mkdtemp(join(tmpdir(), "spar-contract-"));
    const parsed = parseGatewayEnv(env);
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    const { config } = parsed;
    const logs: string[] = [];
    const open = (port: number) =>
      startGateway({
        port,
        host: "127.0.0.1",
        dataDir: dir,
        config,
        log: (entry) => logs.push(logLine(entry)),
      });
    return restartable(dir, logs, open);
  },
};

export const workersTarget: GatewayTarget = {
  name: "workers (spar serve --runtime workers)",
  runtime: "workers",
  async start(env = {}) {
    const dir = await mkdtemp(join(tmpdir(), "spar-contract-workers-"));
    const parsed = parseGatewayEnv(env);
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    const logs: string[] = [];
    const open = (port: number) =>
      startWorkersDev({ port, host: "127.0.0.1", dataDir: dir, env, onLine: (line) => logs.push(line) });
    return restartable(dir, logs, open);
  },
};

/**
 * A known difference between the runtimes: the test is skipped on `runtime`, with the reason in
 * its title (`note`), so a skip is never silent. Every such skip: see README § Workers.
 */
export function skipOn(
  target: GatewayTarget,
  runtime: GatewayTarget["runtime"],
  reason: string,
): { skip: boolean; note: string } {
  const skip = target.runtime === runtime;
  return { skip, note: skip ? ` [skipped on ${runtime}: ${reason}]` : "" };
}

export const TARGETS: GatewayTarget[] = [nodeTarget, workersTarget];
