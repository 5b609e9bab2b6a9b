/**
 * `spar run --gateway`: the same suite run on a real gateway (startGateway on loopback, real
 * libSQL) against the real reference agent, reported exactly as embedded runs are.
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { parseGatewayEnv, type RunningGateway, startGateway } from "@spar/gateway/node";
import { suiteReportSchema } from "@spar/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spar, tempDir, writeSuite } from "./cli-harness.ts";

const SECRET = "gateway-run-secret";
let agent: ReferenceTextAgent;
let gateway: RunningGateway;
let dir: string;
beforeAll(async () => {
  agent = await startReferenceTextAgent({ port: 0, secret: SECRET });
  dir = await tempDir();
  const parsed = parseGatewayEnv({});
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  gateway = await startGateway({
    port: 0,
    host: "127.0.0.1",
    dataDir: join(dir, "gw"),
    config: parsed.config,
    log: () => undefined,
  });
});
afterAll(async () => {
  await gateway.close();
  await agent.close();
  await rm(dir, { recursive: true, force: true });
});

const suite = (lastExpect: string) => `version: 1
agent:
  id: echo-bot
  text: { url: "${agent.url}/echo", secret: "\${BOT_SECRET}", per_turn_timeout_s: 5, settle_ms: 20 }
scenarios:
  - id: ping
    repeat: 2
    script: [{ say: ping }, { expect: "/said: ping/" }]
  - id: pong
    repeat: 2
    script: [{ say: pong }, { expect: "${lastExpect}" }]
`;

describe("spar run --gateway", () => {
  it("runs the suite on the gateway and reports it as embedded runs are: table, JSON, JUnit, exit 1 on a failure", async () => {
    const path = await writeSuite(dir, "failing.yaml", suite("/said: nothing like this/"));
    const json = join(dir, "report.json");
    const junit = join(dir, "junit.xml");
    const r = await spar(["run", path, "--gateway", gateway.url, "--report-json", json, "--junit", junit], {
      BOT_SECRET: SECRET,
      SPAR_API_KEY: gateway.firstStartKey ?? "",
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain("2/4 runs passed (50%)");
    const report = suiteReportSchema.parse(JSON.parse(await readFile(json, "utf8")));
    expect(report.runs.map((x) => [x.scenario_id, x.attempt, x.passed]).sort()).toEqual([
      ["ping", 1, true],
      ["ping", 2, true],
      ["pong", 1, false],
      ["pong", 2, false],
    ]);
    expect(report.runs.find((x) => !x.passed)?.error).toContain(
      "expectation failed: expected /said: nothing like this/",
    );
    expect(await readFile(junit, "utf8")).toContain('name="pong#1"');
  });

  it("exits 0 when every run passes", async () => {
    const path = await writeSuite(dir, "passing.yaml", suite("/said: pong/"));
    const r = await spar(["run", path, "--gateway", gateway.url, "--api-key", gateway.firstStartKey ?? ""], {
      BOT_SECRET: SECRET,
    });
    expect(r.code, r.stderr).toBe(0);
  });

  it("exits 2 on a refused key, an unreachable gateway, a missing key and a key without --gateway", async () => {
    const path = await writeSuite(dir, "any.yaml", suite("/said: pong/"));
    const env = { BOT_SECRET: SECRET };
    const bad = await spar(
      ["run", path, "--gateway", gateway.url, "--api-key", `spar_AAAAAAAA_${"x".repeat(32)}`],
      env,
    );
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining("(401)")]);
    expect(bad.stderr).toContain("check --api-key");
    const down = await spar(["run", path, "--gateway", "http://127.0.0.1:9", "--api-key", "k"], env);
    expect([down.code, down.stderr]).toEqual([
      2,
      expect.stringContaining("could not reach the gateway at http://127.0.0.1:9"),
    ]);
    const keyless = await spar(["run", path, "--gateway", gateway.url], env);
    expect([keyless.code, keyless.stderr]).toEqual([2, expect.stringContaining("needs an API key")]);
    const stray = await spar(["run", path, "--api-key", "k"], env);
    expect([stray.code, stray.stderr]).toEqual([
      2,
      expect.stringContaining("--api-key is only for --gateway"),
    ]);
  });
});
