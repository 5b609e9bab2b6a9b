/**
 * `npm run dashboard`: `spar serve` with demo data, to open the dashboard in a browser.
 *  1. the reference text agent on a free loopback port;
 *  2. `spar serve --data .spar/dashboard-demo` (port 8787 unless `--port N`);
 *  3. `spar run --gateway` with examples/quickstart.yaml: the suite is pushed and two test runs
 *     run on the gateway (their runs, transcripts and verdicts are what the pages show);
 *  4. a stored voice run with its timeline and metrics (test/dashboard/voice-run-seed.ts), since
 *     voice runs through the gateway need a LiveKit server.
 * Then prints the dashboard's address and the API key to sign in with, and serves until Ctrl-C.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { main } from "@spar/cli";
import { startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { z } from "zod";
import { seedVoiceRun, storeSeededRecording } from "../test/dashboard/voice-run-seed.ts";

const root = new URL("..", import.meta.url).pathname;
const data = join(root, ".spar", "dashboard-demo");
const portArg = process.argv.indexOf("--port");
const port = portArg > 0 ? (process.argv[portArg + 1] ?? "8787") : "8787";

function startGateway(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [join(root, "cli/bin/spar.mjs"), "serve", "--port", port, "--data", data],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const listening = /listening on (http:\/\/\S+)/.exec(out);
      if (listening?.[1]) resolve({ child, url: listening[1] });
    });
    child.on("exit", (code) => reject(new Error(`spar serve exited (${code}) before listening:\n${out}`)));
  });
}

const secret = randomBytes(16).toString("hex");
const agent = await startReferenceTextAgent({ port: 0, secret });
const gateway = await startGateway();
const key = (await readFile(join(data, "api-key"), "utf8")).trim();
const stop = async () => {
  gateway.child.kill("SIGTERM");
  await agent.close();
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());

// On a gateway every scenario of a test run repeats equally, and the quickstart's pay-bill
// repeats 3 times, the others once: two test runs.
const selections = [
  ["--only", "pay-bill"],
  ["--only", "caller-changes-mind", "--only", "off-topic"],
];
for (const only of selections) {
  process.stdout.write(
    `── demo data: examples/quickstart.yaml ${only.join(" ")} as a test run on the gateway ──\n`,
  );
  const code = await main(
    ["run", "examples/quickstart.yaml", ...only, "--gateway", gateway.url, "--api-key", key],
    {
      // The gateway sends its integer agent id as X-RUBRIC-AGENT-ID, so the billing bot is picked by path.
      env: {
        ...process.env,
        SPAR_REFERENCE_TEXT_URL: `${agent.url}/billing`,
        SPAR_REFERENCE_TEXT_SECRET: secret,
      },
      stdout: process.stdout,
      stderr: process.stderr,
      interactive: false,
      color: false,
      outputDir: ".spar",
      atExit: () => undefined,
      signal: new AbortController().signal,
    },
  );
  // 1 is a run that failed, which the demo shows; 2 and up are errors.
  if (code > 1) {
    await stop();
    process.exit(code);
  }
}
const ids = z.object({ data: z.array(z.object({ id: z.number().int().positive() })).min(1) });
const firstId = async (path: string) =>
  ids.parse(await (await fetch(`${gateway.url}${path}`, { headers: { "X-API-Key": key } })).json()).data[0]
    ?.id ?? 1;
const voiceRunId = await seedVoiceRun(
  join(data, "gateway.db"),
  await firstId("/v1/agents"),
  await firstId("/v1/scenarios"),
  Date.now(),
);
await storeSeededRecording(data, voiceRunId);
process.stdout.write(
  [
    "",
    `Dashboard:  ${gateway.url}/dashboard/`,
    `API key:    ${key}   (also in .spar/dashboard-demo/api-key)`,
    `Voice run:  ${gateway.url}/dashboard/runs/${voiceRunId}`,
    "Serving until Ctrl-C.",
    "",
  ].join("\n"),
);
