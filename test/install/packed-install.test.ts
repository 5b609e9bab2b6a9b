/**
 * Spar as a user gets it: `npm pack -w cli`, the tarball installed into an empty project, and the
 * installed `spar` (compiled JavaScript, no tsx) run there against the reference text agent.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = new URL("../..", import.meta.url).pathname;
const SECRET = "install-secret";

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
}

/** A child process to completion; async so the in-process agent keeps serving meanwhile. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Exit> {
  // The outer `npm test` exports npm_* settings (the workspace root among them); the user's npm
  // must not inherit them.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...clean, CI: "1", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let agent: ReferenceTextAgent;
let work: string;
let project: string;
let tarball: string;

// Measured on the 2-core dev machine: pack (esbuild) ≈ 2 s, install from the npm cache 4–10 s
// (44 packages, 73 MB), the tests ≈ 9 s; 17–23 s for the file. The generous hook timeout covers
// a cold npm cache that fetches from the registry.
beforeAll(async () => {
  agent = await startReferenceTextAgent({ port: 0, secret: SECRET });
  work = await mkdtemp(join(tmpdir(), "spar-install-"));
  const pack = await run("npm", ["pack", "-w", "cli", "--pack-destination", work], ROOT);
  expect(pack.code, pack.stderr).toBe(0);
  tarball = join(work, pack.stdout.trim().split("\n").at(-1) ?? "");
  project = join(work, "project");
  await mkdir(project);
  await writeFile(join(project, "package.json"), '{ "name": "user-project", "private": true }\n');
  const install = await run(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball],
    project,
  );
  expect(install.code, install.stderr).toBe(0);
}, 240_000);

afterAll(async () => {
  await agent?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const spar = (args: string[]) =>
  run(join(project, "node_modules", ".bin", "spar"), args, project, {
    SPAR_REFERENCE_TEXT_URL: agent.url,
    SPAR_REFERENCE_TEXT_SECRET: SECRET,
  });

describe("the packed spar package", () => {
  it("holds only the compiled command and its manifest", async () => {
    const files = (await run("tar", ["-tzf", tarball], work)).stdout.split("\n").filter(Boolean);
    // Shared chunks, the gateway's lazily loaded chunk (`spar serve`) and its migrations.
    const chunk = /^package\/dist\/(chunk|node)-\w+\.mjs$/;
    const migration =
      /^package\/dist\/(gateway|outbox)-migrations\/(\d{4}_\w+\.sql|meta\/(\d{4}_snapshot|_journal)\.json)$/;
    expect(files.filter((f) => !chunk.test(f) && !migration.test(f)).sort()).toEqual([
      "package/bin/spar.mjs",
      "package/dist/spar.mjs",
      "package/dist/text-to-speech-process.mjs",
      "package/dist/voice.mjs",
      "package/package.json",
    ]);
    expect(files.some((f) => f.endsWith("gateway-migrations/meta/_journal.json"))).toBe(true);
    expect(files).toContain("package/dist/outbox-migrations/0000_outbox.sql");
  });

  it("installs into an empty project without tsx, TypeScript sources or workspace packages", () => {
    const modules = join(project, "node_modules");
    expect(existsSync(join(modules, ".bin", "spar"))).toBe(true);
    expect(existsSync(join(modules, "tsx"))).toBe(false);
    expect(existsSync(join(modules, "@spar", "cli", "src"))).toBe(false);
    expect(existsSync(join(modules, "@spar", "protocol"))).toBe(false);
  });

  it("serves the gateway: spar serve applies its migrations, answers, and exits 0 on SIGTERM", async () => {
    const child = spawn(
      join(project, "node_modules", ".bin", "spar"),
      ["serve", "--port", "0", "--data", "gw"],
      {
        cwd: project,
      },
    );
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const deadline = Date.now() + 20_000;
    while (!/listening on (http:\/\/\S+)/.test(stdout) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
    expect(url, stdout).toBeDefined();
    const key = /\n {2}(spar_\S+)\n/.exec(stdout)?.[1] ?? "";
    const res = await fetch(`${url}/v1/agents`, { headers: { "X-API-Key": key } });
    expect([res.status, await res.json()]).toEqual([200, { data: [], next_cursor: null }]);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("prints its usage with --help", async () => {
    const r = await spar(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("spar run [SUITE...] [options]");
  });

  it("runs the quickstart suite to exit 0 and writes a JUnit report", async () => {
    await copyFile(join(ROOT, "examples", "quickstart.yaml"), join(project, "spar.yaml"));
    const r = await spar(["run", "--junit", "junit.xml"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("PASS pay-bill#1");
    const xml = await readFile(join(project, "junit.xml"), "utf8");
    expect(xml).toContain('name="pay-bill#1"');
    expect(xml).not.toContain("<failure");
  });

  it("exits 1 when a scenario fails", async () => {
    await writeFile(
      join(project, "failing.yaml"),
      `version: 1
agent:
  id: echo-bot
  text: { url: "\${SPAR_REFERENCE_TEXT_URL}/echo", secret: "\${SPAR_REFERENCE_TEXT_SECRET}", per_turn_timeout_s: 1 }
scenarios:
  - id: silent-agent
    metadata: { X-Spar-Behavior: silent }
    script:
      - say: anyone?
`,
    );
    const r = await spar(["run", "failing.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL silent-agent#1 .*agent_timeout/);
  });

  it("starts the in-process sidecar from the package, its outbox migrated from the copy beside the chunks", async () => {
    const voice = join(project, "node_modules", "@spar", "cli", "dist", "voice.mjs");
    const script = `const v = await import(${JSON.stringify(voice)});
const config = v.sidecarConfigFromEnv({
  SPAR_SIDECAR_TOKEN: "packed-install-token-0123",
  SPAR_SIDECAR_PORT: "0",
  SPAR_OUTBOX_URL: "file:sidecar-outbox.db",
});
const runner = v.livekitRunnerFromEnv({ SPAR_RECORDINGS_DIR: "sidecar-recordings" });
const sidecar = await v.startSidecar(config, { runner, telemetry: v.noopTelemetry, log: () => {} });
const res = await fetch(sidecar.url + "/healthz");
console.log(res.status, JSON.stringify(await res.json()));
await sidecar.close();
await v.disposeMediaRuntime();`;
    const r = await run(process.execPath, ["--input-type=module", "-e", script], project);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('200 {"ok":true,"active_jobs":0}');
    // A fresh node process loading rtc-node's native library and forking the TTS child: ~5 s
    // alone, several times that on a loaded 2-core box.
  }, 60_000);

  it("loads the voice stack from the package: rtc-node, and flite TTS in its compiled child process", async () => {
    const voice = join(project, "node_modules", "@spar", "cli", "dist", "voice.mjs");
    const script = `const v = await import(${JSON.stringify(voice)});
const tts = new v.ProcessTextToSpeech("rms");
const audio = await tts.synthesize("hello");
await tts.close();
await v.disposeMediaRuntime();
console.log(audio.sampleRate, audio.samples.length > 1000);`;
    const r = await run(process.execPath, ["--input-type=module", "-e", script], project);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("16000 true");
  });
});
