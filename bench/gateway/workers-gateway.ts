/**
 * The Workers gateway for the bench: the Worker in workerd through `wrangler dev`, offline, on a
 * fresh data folder (startWorkersDev, as `spar serve --runtime workers` runs it). It also finds
 * wrangler's process (this process's new child), whose tree holds workerd, so its memory can be
 * read, and keeps what wrangler printed other than the one line per request.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWorkersDev } from "@spar/gateway/node";
import type { GatewayEndpoint } from "./gateway-client.ts";
import { type ProcessEntry, processTree } from "./process-tree-rss.ts";

export interface BenchWorkers {
  endpoint: GatewayEndpoint;
  /** wrangler's own process: workerd runs below it. */
  wranglerPid: number;
  /** From spawning wrangler to the first answer (the start-up sweep included). */
  startMs: number;
  /** wrangler's lines other than request logs (the last 500), for a failure's context. */
  lines: readonly WranglerLine[];
  close(): Promise<void>;
}

export interface WranglerLine {
  /** performance.now() when it was read. */
  atMs: number;
  text: string;
}

const REQUEST_LINE = /^\[wrangler:info\] (GET|PUT|POST|DELETE|PATCH) /;
const KEPT_LINES = 500;

export async function startBenchWorkers(): Promise<BenchWorkers> {
  const dir = await mkdtemp(join(tmpdir(), "spar-bench-workers-"));
  const childrenBefore = new Set(childrenOf(process.pid).map((p) => p.pid));
  const lines: WranglerLine[] = [];
  const t0 = performance.now();
  try {
    const dev = await startWorkersDev({
      port: 0,
      host: "127.0.0.1",
      dataDir: dir,
      env: {},
      onLine: (line) => {
        if (line.trim() === "" || REQUEST_LINE.test(line)) return;
        lines.push({ atMs: performance.now(), text: line });
        if (lines.length > KEPT_LINES) lines.shift();
      },
    });
    const startMs = performance.now() - t0;
    const wrangler = childrenOf(process.pid).find((p) => !childrenBefore.has(p.pid) && p.comm !== "esbuild");
    if (wrangler === undefined) throw new Error("wrangler's process was not found below the bench");
    return {
      endpoint: { url: dev.url, apiKey: dev.firstStartKey ?? "" },
      wranglerPid: wrangler.pid,
      startMs,
      lines,
      async close() {
        await dev.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function childrenOf(pid: number): ProcessEntry[] {
  return processTree(pid).filter((p) => p.ppid === pid);
}

/** workerd apart from wrangler's own Node and esbuild processes. */
export function workersGroup(p: ProcessEntry): string {
  return p.comm === "workerd" ? "workerd" : "wrangler";
}
