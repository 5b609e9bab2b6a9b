/**
 * The sidecar container image, proven without a Docker engine: the steps of sidecar/Dockerfile
 * run here in a temporary /app — manifests and lockfile only, `npm ci --omit=dev` of the
 * sidecar's workspace (from the npm cache), the image's prune script, the esbuild build — and
 * the compiled sidecar is started with `node dist/main.js` and asked for /healthz. The
 * Dockerfile itself is linted (dockerfile-utils, the validator of the VS Code Docker extension:
 * hadolint is neither in Debian nor on npm) and checked for the rules that make it correct.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validate } from "dockerfile-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

const ROOT = new URL("../..", import.meta.url).pathname;
const DOCKERFILE = readFileSync(join(ROOT, "sidecar", "Dockerfile"), "utf8");
const WORKSPACES = z
  .object({ workspaces: z.array(z.string()) })
  .parse(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"))).workspaces;
/** The image's install command, as the Dockerfile spells it (the test adds --prefer-offline). */
const INSTALL = "npm ci --omit=dev --workspace=@spar/sidecar --no-audit --no-fund";
const TOKEN = "image-test-token-0123456789";
/** Dockerfile variable references, spelled as the Dockerfile does (not JavaScript templates). */
const ref = (name: string) => `$${"{"}${name}}`;

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
}

/** The outer `npm test` exports npm_* settings (the workspace root among them); the image's npm has none. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...cleanEnv, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let work: string;
let app: string;
let modules: string;
let installMs = 0;

interface Started {
  child: ChildProcess;
  url: string | undefined;
  exited: Promise<Exit>;
}

/** `node dist/main.js` in /app/sidecar, as the image's ENTRYPOINT runs it. */
async function startSidecar(env: Record<string, string>): Promise<Started> {
  const data = await mkdtemp(join(work, "data-"));
  const child = spawn(process.execPath, ["dist/main.js"], {
    cwd: join(app, "sidecar"),
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      SPAR_SIDECAR_TOKEN: TOKEN,
      SPAR_SIDECAR_PORT: "0",
      SPAR_OUTBOX_URL: `file:${join(data, "outbox.db")}`,
      SPAR_RECORDINGS_DIR: join(data, "recordings"),
      ...env,
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  const exited = new Promise<Exit>((resolve) =>
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr })),
  );
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 30_000;
  const listening = () => /"event":"sidecar_listening","url":"(http:\/\/[^"]+)"/.exec(stdout)?.[1];
  while (listening() === undefined && !done && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url: listening(), exited };
}

async function expectHealthy(env: Record<string, string>): Promise<void> {
  const sidecar = await startSidecar(env);
  expect(sidecar.url).toBeDefined();
  const res = await fetch(`${sidecar.url}/healthz`);
  expect([res.status, await res.json()]).toEqual([200, { ok: true, active_jobs: 0 }]);
  sidecar.child.kill("SIGTERM");
  expect((await sidecar.exited).code).toBe(0);
}

describe("the sidecar image's steps, outside Docker", { timeout: 120_000 }, () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "spar-sidecar-image-"));
    app = join(work, "app");
    // COPY package.json package-lock.json ./ and every workspace manifest.
    mkdirSync(app);
    for (const file of ["package.json", "package-lock.json"]) cpSync(join(ROOT, file), join(app, file));
    for (const ws of WORKSPACES) {
      mkdirSync(join(app, ws));
      cpSync(join(ROOT, ws, "package.json"), join(app, ws, "package.json"));
    }
    const started = performance.now();
    const install = await run("npm", [...INSTALL.split(" ").slice(1), "--prefer-offline"], app, {
      ONNXRUNTIME_NODE_INSTALL: "skip",
    });
    installMs = performance.now() - started;
    expect(install.code, install.stderr).toBe(0);
    modules = join(app, "node_modules");
    const prune = await run(
      process.execPath,
      [join(ROOT, "sidecar/scripts/prune-image-deps.mjs"), modules, "--silero=1"],
      app,
    );
    expect(prune.code, prune.stderr).toBe(0);
    // The build stage: esbuild from the checkout's dev dependencies, output where the image puts it.
    const build = await run(
      process.execPath,
      [join(ROOT, "sidecar/scripts/build.mjs"), join(app, "sidecar", "dist")],
      ROOT,
    );
    expect(build.code, build.stderr).toBe(0);
  }, 420_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("installs the production dependencies only: no dev tool, no TypeScript runner, no browser onnxruntime", () => {
    console.log(`sidecar image install (npm ci --omit=dev from the npm cache): ${Math.round(installMs)} ms`);
    for (const absent of [
      "tsx",
      "typescript",
      "vitest",
      "esbuild",
      "drizzle-kit",
      "@biomejs",
      "wrangler",
      "onnxruntime-web",
      "@ricky0123",
      "@opentelemetry/sdk-node",
      "@grpc",
      "@livekit/agents",
      "@spar",
    ]) {
      expect(existsSync(join(modules, absent)), absent).toBe(false);
    }
    for (const present of [
      "@livekit/rtc-node",
      "@libsql/client",
      "@opentelemetry/sdk-trace",
      "onnxruntime-node",
    ]) {
      expect(existsSync(join(modules, present)), present).toBe(true);
    }
  });

  it("holds one @livekit/protocol, the version the dev server needs", () => {
    const copies = readdirSync(modules, { recursive: true, encoding: "utf8" }).filter((p) =>
      p.endsWith(join("@livekit", "protocol", "package.json")),
    );
    expect(copies).toEqual([join("@livekit", "protocol", "package.json")]);
    const version = z
      .object({ version: z.string() })
      .parse(JSON.parse(readFileSync(join(modules, "@livekit", "protocol", "package.json"), "utf8"))).version;
    expect(version).toBe("1.52.1");
  });

  it("keeps onnxruntime-node's build for this platform only", () => {
    const builds = join(modules, "onnxruntime-node", "bin", "napi-v6");
    const kept = readdirSync(builds).flatMap((os) =>
      readdirSync(join(builds, os)).map((arch) => `${os}/${arch}`),
    );
    expect(kept).toEqual([`${process.platform}/${process.arch}`]);
  });

  it("compiles to dist/main.js with its TTS child, outbox migrations and the Silero model beside it", () => {
    const dist = join(app, "sidecar", "dist");
    expect(readdirSync(dist).sort()).toEqual([
      "main.js",
      "models",
      "outbox-migrations",
      "package.json",
      "text-to-speech-process.mjs",
    ]);
    expect(existsSync(join(dist, "models", "silero_vad_v5.onnx"))).toBe(true);
    expect(existsSync(join(dist, "outbox-migrations", "0000_outbox.sql"))).toBe(true);
  });

  it("starts the compiled sidecar, which answers /healthz and exits 0 on SIGTERM", async () => {
    await expectHealthy({});
  });

  it("starts with SPAR_VAD=silero on the pruned runtime", async () => {
    await expectHealthy({ SPAR_VAD: "silero" });
  });

  it("without onnxruntime-node, refuses SPAR_VAD=silero with the install command and still runs the energy VAD", async () => {
    const prune = await run(
      process.execPath,
      [join(ROOT, "sidecar/scripts/prune-image-deps.mjs"), modules, "--silero=0"],
      app,
    );
    expect(prune.code, prune.stderr).toBe(0);
    expect(existsSync(join(modules, "onnxruntime-node"))).toBe(false);

    const silero = await startSidecar({ SPAR_VAD: "silero" });
    const exit = await silero.exited;
    expect(silero.url).toBeUndefined();
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain(
      "spar sidecar: onnxruntime-node (Silero VAD runtime) is not available: it is an optional dependency; install it with ONNXRUNTIME_NODE_INSTALL=skip npm install --save-exact onnxruntime-node@1.30.0",
    );
    await expectHealthy({ SPAR_VAD: "energy" });
  });
});

describe("sidecar/Dockerfile", () => {
  const instructions = DOCKERFILE.replace(/\\\n/g, " ")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.trimStart().startsWith("#"));
  const stages = DOCKERFILE.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1) ?? "";

  it("passes the Dockerfile validator with no diagnostic", () => {
    const problems = validate(DOCKERFILE).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(problems).toEqual([]);
  });

  it("runs the install, prune and build commands this test runs", () => {
    expect(DOCKERFILE).toContain(`RUN ${INSTALL} \\`);
    expect(DOCKERFILE).toContain(
      `node /tmp/prune-image-deps.mjs node_modules --silero="${ref("WITH_SILERO")}"`,
    );
    expect(DOCKERFILE).toContain("RUN node sidecar/scripts/build.mjs sidecar/dist");
    expect(DOCKERFILE).toContain("ENV ONNXRUNTIME_NODE_INSTALL=skip");
  });

  it("copies every workspace's manifest, which npm ci checks against the lockfile", () => {
    for (const ws of WORKSPACES) expect(DOCKERFILE).toContain(`COPY ${ws}/package.json ${ws}/`);
  });

  it("builds every stage from one pinned Node 20 image", () => {
    expect(DOCKERFILE).toMatch(/^ARG NODE_IMAGE=node:20\.\d+\.\d+-bookworm-slim$/m);
    const froms = instructions.filter((l) => l.startsWith("FROM "));
    expect(froms).toEqual([
      `FROM ${ref("NODE_IMAGE")} AS deps`,
      `FROM ${ref("NODE_IMAGE")} AS build`,
      `FROM ${ref("NODE_IMAGE")}`,
    ]);
  });

  it("runs compiled JavaScript as the non-root node user, behind tini, with a health check on /healthz", () => {
    expect(runtime).toContain("COPY --from=deps /app/node_modules /app/node_modules");
    expect(runtime).toContain("COPY --from=build /src/sidecar/dist dist");
    expect(runtime).not.toMatch(/npm (ci|install)|tsx|COPY (protocol|caller|sidecar)\//);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime.indexOf("USER node")).toBeLessThan(runtime.indexOf("ENTRYPOINT"));
    expect(runtime).toContain('ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/main.js"]');
    expect(runtime).toMatch(/^HEALTHCHECK .*\n\s+CMD \["node", "-e", ".*\/healthz.*"\]$/m);
  });

  it("exposes the port the sidecar listens on and keeps its data on the volume", () => {
    expect(runtime).toMatch(/^EXPOSE 8790$/m);
    expect(runtime).toContain("SPAR_SIDECAR_PORT=8790");
    expect(runtime).toContain("SPAR_OUTBOX_URL=file:/var/lib/spar/outbox.db");
    expect(runtime).toContain("SPAR_RECORDINGS_DIR=/var/lib/spar/recordings");
    expect(runtime).toMatch(/^VOLUME \/var\/lib\/spar$/m);
    expect(runtime).toContain("chown -R node:node /var/lib/spar");
  });

  it("installs Debian packages without recommends and leaves no apt lists behind", () => {
    const aptInstalls = instructions.join("\n").match(/apt-get install [^;&]*/g) ?? [];
    expect(aptInstalls.length).toBeGreaterThan(0);
    for (const cmd of aptInstalls) expect(cmd).toContain("--no-install-recommends");
    expect(runtime).toContain("rm -rf /var/lib/apt/lists/*");
  });
});
