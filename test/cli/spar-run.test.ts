import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { suiteReportSchema } from "@spar/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { spar, sparBin, tempDir, writeSuite } from "./cli-harness.ts";

const SECRET = "cli-secret";
let agent: ReferenceTextAgent;
let dir: string;
beforeAll(async () => {
  agent = await startReferenceTextAgent({ port: 0, secret: SECRET });
  dir = await tempDir();
});
afterAll(async () => {
  await agent.close();
});

const env = () => ({ AGENT_URL: `${agent.url}/echo`, AGENT_SECRET: SECRET });

const suite = (scenarios: string, text = "") => `version: 1
agent:
  id: echo-bot
  text:
    url: \${AGENT_URL}
    secret: \${AGENT_SECRET}
    per_turn_timeout_s: 1
    settle_ms: 20${text}
scenarios:
${scenarios}`;

const passing = `  - id: greet
    tags: [smoke]
    script:
      - say: hello
      - expect: "/said: hello/"
        end: true
    assertions:
      - ended_by: caller
      - agent_said: hello
`;
const failing = `  - id: silent-agent
    metadata: { X-Spar-Behavior: silent }
    script:
      - say: anyone?
`;

describe("spar run", () => {
  it("exits 0 when every scenario passes and writes the JSON and JUnit reports", async () => {
    const path = await writeSuite(dir, "pass.yaml", suite(passing));
    const json = join(dir, "out", "report.json");
    const junit = join(dir, "out", "junit.xml");
    const r = await sparBin(["run", path, "--report-json", json, "--junit", junit], env());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("PASS greet#1");
    const report = suiteReportSchema.parse(JSON.parse(await readFile(json, "utf8")));
    expect(report.summary).toEqual({ total: 1, passed: 1, failed: 0, interrupted: 0, pass_rate: 100 });
    expect(report.runs[0]).toMatchObject({
      scenario_id: "greet",
      status: "completed",
      ended_reason: "caller_ended",
    });
    const xml = await readFile(junit, "utf8");
    expect(xml).toContain(`<testcase classname="${path}" name="greet#1"`);
    expect(xml).not.toContain("<failure");
  });

  it("exits 1 when a run fails and reports why", async () => {
    const path = await writeSuite(dir, "fail.yaml", suite(passing + failing));
    const junit = join(dir, "fail-junit.xml");
    const r = await sparBin(["run", path, "--junit", junit], env());
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL silent-agent#1 .*agent_timeout: the agent did not reply within 1 s/);
    const xml = await readFile(junit, "utf8");
    expect(xml).toMatch(
      /<testcase classname="[^"]+" name="silent-agent#1"[^>]*>\s*<failure message="[^"]*the agent did not reply within 1 s/,
    );
  });

  it("exits 2 naming the field path when the suite is invalid", async () => {
    const path = await writeSuite(
      dir,
      "bad.yaml",
      suite(`  - id: a
    script:
      - say: hi
      - expect: /([unclosed/
`),
    );
    const r = await sparBin(["run", path], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("invalid suite");
    expect(r.stderr).toContain("scenarios[0].script[1].expect: invalid regex /([unclosed/");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("exits 2 when an environment variable is not set, naming the field and the variable", async () => {
    const path = await writeSuite(dir, "env.yaml", suite(passing));
    const r = await spar(["run", path], { AGENT_URL: agent.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("agent.text.secret: environment variable AGENT_SECRET is not set");
  });

  it("runs with --agent-url and --secret replacing unset variables of the suite", async () => {
    const path = await writeSuite(dir, "override.yaml", suite(passing));
    const r = await spar(["run", path, "--agent-url", `${agent.url}/echo`, "--secret", SECRET], {});
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("PASS greet#1");
  });

  it("exits 2 before any run starts when a report path cannot be written", async () => {
    const path = await writeSuite(dir, "report-path.yaml", suite(passing));
    const r = await spar(["run", path, "--junit", dir], env());
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr: `spar run: --junit ${dir}: is a directory; give a file path such as ${join(dir, "junit.xml")}\n`,
    });
    const same = await spar(
      ["run", path, "--junit", join(dir, "r.xml"), "--report-json", join(dir, "r.xml")],
      env(),
    );
    expect(same.stderr).toBe(
      `spar run: --report-json and --junit both name ${join(dir, "r.xml")}; give each report its own file\n`,
    );
  });

  it("exits 2 naming the count and the cap when more than 10,000 runs are planned", async () => {
    const scenarios = Array.from(
      { length: 11 },
      (_, i) => `  - { id: s${i}, tags: [t${i % 2}], script: [{ say: hi }] }\n`,
    );
    const path = await writeSuite(
      dir,
      "many.yaml",
      suite(scenarios.join("")).replace("scenarios:", "defaults: { repeat: 1000 }\nscenarios:"),
    );
    const r = await spar(["run", path], env());
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "spar run: 11,000 runs planned (scenarios × repeat across suites), over the limit of 10,000; narrow the selection with --tag or --only, or lower repeat\n",
    });
    const narrowed = await spar(["run", path, "--tag", "t1", "--only", "nothing"], env());
    expect(narrowed.stderr).toContain("no scenario matches");
  });

  it("exits 2 with one line naming a port out of range, a non-UTF-8 suite and a directory", async () => {
    const badPort = await spar(["run", await writeSuite(dir, "port.yaml", suite(passing))], {
      AGENT_URL: "ws://127.0.0.1:99999/ws",
      AGENT_SECRET: SECRET,
    });
    expect(badPort.stderr).toBe(
      `spar run: ${join(dir, "port.yaml")}: invalid suite\n  agent.text.url: port 99999 is out of range; use 1-65535\n`,
    );
    const flag = await spar(["run", "x.yaml", "--agent-url", "ws://user:pw@127.0.0.1:99999/ws?token=t"]);
    expect(flag).toMatchObject({ code: 2 });
    expect(flag.stderr.split("\n")[0]).toBe(
      "spar run: --agent-url ws://127.0.0.1:99999/ws: port 99999 is out of range; use 1-65535",
    );

    const latin1 = join(dir, "latin1.yaml");
    await writeFile(
      latin1,
      Buffer.concat([Buffer.from("version: 1\n# caf"), Buffer.from([0xe9]), Buffer.from("\n")]),
    );
    expect(await spar(["run", latin1])).toEqual({
      code: 2,
      stdout: "",
      stderr: `spar run: ${latin1}: not UTF-8 text (line 2, byte offset 16); save the file as UTF-8\n`,
    });
    const utf16 = join(dir, "utf16.yaml");
    await writeFile(utf16, Buffer.from("\uFEFFversion: 1\n", "utf16le"));
    expect((await spar(["run", utf16])).stderr).toBe(
      `spar run: ${utf16}: the suite file is UTF-16; save it as UTF-8\n`,
    );

    const folder = join(dir, "suites");
    await mkdir(folder, { recursive: true });
    expect(await spar(["run", folder])).toEqual({
      code: 2,
      stdout: "",
      stderr: `spar run: ${folder}: is a directory; give the suite files in it, e.g. spar run ${join(folder, "*.yaml")}\n`,
    });
  });

  it("exits 2 on usage errors: unknown option, bad concurrency, missing file, YAML syntax", async () => {
    expect((await spar(["run", "--nope"])).code).toBe(2);
    const conc = await spar(["run", "x.yaml", "--concurrency", "0"]);
    expect(conc).toMatchObject({ code: 2 });
    expect(conc.stderr).toContain("--concurrency must be a whole number from 1 to 1000");
    const missing = await spar(["run", join(dir, "missing.yaml")]);
    expect(missing.stderr).toBe(
      `spar run: ${join(dir, "missing.yaml")}: no such suite file; check the path (spar run looks for spar.yaml when given none)\n`,
    );
    const yamlPath = await writeSuite(dir, "syntax.yaml", "version: 1\nagent: [\n");
    const syntax = await spar(["run", yamlPath]);
    expect(syntax).toMatchObject({ code: 2 });
    expect(syntax.stderr).toContain("not valid YAML/JSON");
  });

  it("runs only the scenarios selected by --tag and --only", async () => {
    const path = await writeSuite(dir, "filter.yaml", suite(passing + failing));
    const tagged = await spar(["run", path, "--tag", "smoke"], env());
    expect(tagged.code).toBe(0);
    expect(tagged.stdout).not.toContain("silent-agent");
    const only = await spar(["run", path, "--only", "silent-agent"], env());
    expect(only.code).toBe(1);
    expect(only.stdout).not.toContain("greet#1");
    const none = await spar(["run", path, "--only", "nope"], env());
    expect(none).toMatchObject({ code: 2 });
    expect(none.stderr).toBe(
      "spar run: no scenario matches --only nope; scenario ids: greet, silent-agent; tags: smoke\n",
    );
  });

  it("sends one batch id for all runs and each run's id as X-RUBRIC-RUN-ID, with X-* metadata forwarded", async () => {
    const seen: Record<string, string | string[] | undefined>[] = [];
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    wss.on("connection", (ws, req) => {
      seen.push(req.headers);
      ws.on("message", (raw) => {
        const frame = JSON.parse(String(raw)) as { type: string };
        if (frame.type === "end_call") ws.close(1000);
        else ws.send(JSON.stringify({ content: "ok" }));
      });
    });
    await new Promise((r) => wss.once("listening", r));
    const address = wss.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const path = await writeSuite(
        dir,
        "headers.yaml",
        suite(`  - id: h
    repeat: 3
    metadata: { X-Bot-Id: billing, plain: not-a-header }
    script: [{ say: hi }]
`),
      );
      const json = join(dir, "headers.json");
      const r = await spar(["run", path, "--concurrency", "3", "--report-json", json], {
        AGENT_URL: `ws://127.0.0.1:${port}/ws`,
        AGENT_SECRET: "sekrit",
      });
      expect(r.code).toBe(0);
      const report = suiteReportSchema.parse(JSON.parse(await readFile(json, "utf8")));
      expect(seen).toHaveLength(3);
      expect(new Set(seen.map((h) => h["x-rubric-batch-id"]))).toEqual(new Set([report.batch_id]));
      expect(new Set(seen.map((h) => h["x-rubric-run-id"]))).toEqual(
        new Set(report.runs.map((run) => run.run_id)),
      );
      for (const h of seen) {
        expect(h).toMatchObject({
          "x-rubric-secret": "sekrit",
          "x-rubric-agent-id": "echo-bot",
          "x-rubric-scenario-id": "h",
          "x-bot-id": "billing",
        });
        expect(h.plain).toBeUndefined();
      }
      expect(report.runs.map((run) => run.attempt)).toEqual([1, 2, 3]);
    } finally {
      await new Promise((r) => wss.close(r));
    }
  });

  it("exits 2 at plan time, naming the fields, when a voice run has no LiveKit credentials", async () => {
    const path = await writeSuite(
      dir,
      "no-credentials.yaml",
      suite(passing).replace(
        "scenarios:",
        '  voice: { livekit: { mode: manual, url: "ws://127.0.0.1:7880" } }\nscenarios:',
      ),
    );
    // Text runs of the same suite are not refused: the voice settings are checked only when used.
    expect((await spar(["run", path], env())).code).toBe(0);
    const r = await spar(["run", path, "--channel", "voice"], env());
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr: `spar run: ${path}: agent.voice.livekit (manual) needs token, or api_key and api_secret to mint one (credentials_missing)\n`,
    });
  });

  it("exits 2 when --channel voice meets a suite without agent.voice", async () => {
    const path = await writeSuite(dir, "voice.yaml", suite(passing));
    const r = await spar(["run", path, "--channel", "voice"], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("scenario greet runs on the voice channel but agent.voice is not configured");
  });
});
