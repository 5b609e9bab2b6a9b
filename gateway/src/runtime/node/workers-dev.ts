/**
 * `spar serve --runtime workers` below the CLI: the Worker (wrangler.toml at the repository
 * root) in workerd through `wrangler dev`, offline, with `dataDir` as its local persistence
 * (D1, Durable Objects, R2). The Worker applies the migrations itself when it starts.
 *
 * As on Node, the first start makes workspace `default`'s key and keeps it in `<data>/api-key`
 * (mode 0600); the Worker gets only its prefix and SHA-256 (bootstrap-workspace.ts). The
 * secret-at-rest key is SPAR_SECRET_KEY or `<data>/secret.key`. SPAR_* settings reach the Worker
 * through an env file in the data folder (mode 0600), which wrangler shows as hidden. Before it
 * answers, the run sweep runs once (the cron handler), ending runs the last process held, as
 * Node's recovery does.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { generateApiKey, hashApiKey } from "../../security/api-key.ts";
import { loadOrCreateSecretKeyFile } from "./secret-key-file.ts";
import { API_KEY_FILE } from "./start-gateway.ts";

export interface WorkersDevOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  dataDir: string;
  /** SPAR_* settings, as `spar serve` reads them from its environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** Every line wrangler and the Worker print. */
  onLine?: (line: string) => void;
  /** How long wrangler may take to answer (default 60 s). */
  startTimeoutMs?: number;
}

export interface RunningWorkersDev {
  url: string;
  /** Set on the first start only: the new workspace's key, also in `<data>/api-key`. */
  firstStartKey: string | undefined;
  apiKeyFile: string;
  close(): Promise<void>;
}

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");
export const WORKERS_VARS_FILE = "workers.env";

export async function startWorkersDev(o: WorkersDevOptions): Promise<RunningWorkersDev> {
  await mkdir(o.dataDir, { recursive: true, mode: 0o700 });
  const apiKeyFile = join(o.dataDir, API_KEY_FILE);
  const { key, created } = await loadOrCreateApiKey(apiKeyFile);
  const vars: Record<string, string> = { SPAR_OUTBOUND_POLICY: "loopback" };
  for (const [name, value] of Object.entries(o.env)) {
    if (name.startsWith("SPAR_") && value !== undefined && value.trim() !== "") vars[name] = value;
  }
  vars.SPAR_SECRET_KEY ??= (await loadOrCreateSecretKeyFile(o.dataDir)).key;
  vars.SPAR_FIRST_KEY_PREFIX = key.slice(0, key.lastIndexOf("_"));
  vars.SPAR_FIRST_KEY_SHA256 = await hashApiKey(key);
  const varsFile = join(o.dataDir, WORKERS_VARS_FILE);
  await writeFile(varsFile, envFileText(vars), { mode: 0o600 });
  await chmod(varsFile, 0o600);

  const port = o.port === 0 ? await freePort(o.host) : o.port;
  const child = spawn(
    WRANGLER,
    [
      "dev",
      ...["--config", join(ROOT, "wrangler.toml")],
      ...["--ip", o.host, "--port", String(port)],
      ...["--persist-to", o.dataDir, "--env-file", varsFile],
      "--test-scheduled",
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...withoutSpar(process.env),
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
      },
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<void>((resolve) => {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        o.onLine?.(line);
        if (line.includes("Ready on http")) resolve();
      });
    }
  });
  const url = `http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${port}`;
  const close = () => stopProcessGroup(child, exited);
  try {
    await within(
      Promise.race([
        ready,
        exited.then((code) => Promise.reject(new Error(`wrangler dev exited (${code}) before it was ready`))),
      ]),
      o.startTimeoutMs ?? 60_000,
      "wrangler dev did not become ready",
    );
    // Ends the runs the previous process held before anything else is answered.
    const swept = await fetch(`${url}/__scheduled`);
    await swept.text();
    if (!swept.ok) throw new Error(`the start-up sweep answered HTTP ${swept.status}`);
  } catch (error) {
    await close();
    throw error;
  }
  return { url, firstStartKey: created ? key : undefined, apiKeyFile, close };
}

async function loadOrCreateApiKey(path: string): Promise<{ key: string; created: boolean }> {
  try {
    return { key: (await readFile(path, "utf8")).trim(), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const { key } = await generateApiKey();
  await writeFile(path, `${key}\n`, { mode: 0o600, flag: "wx" });
  return { key, created: true };
}

/** A dotenv file; values are validated settings and keys, never multi-line. */
function envFileText(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([name, value]) => {
      if (/[\r\n"\\]/.test(value)) throw new Error(`${name}: must be one line without quotes or backslashes`);
      return `${name}="${value}"\n`;
    })
    .join("");
}

/** The Worker reads SPAR_* from the env file only, never from wrangler's own environment. */
function withoutSpar(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith("SPAR_")));
}

async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/** wrangler runs workerd as its child: SIGTERM goes to the whole group this call started. */
async function stopProcessGroup(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), name);
    } catch {
      // Already gone.
    }
  };
  signal("SIGTERM");
  const stopped = await within(exited, 10_000, "").then(
    () => true,
    () => false,
  );
  if (!stopped) {
    signal("SIGKILL");
    await exited;
  }
}

async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
