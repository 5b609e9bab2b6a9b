/** Help, version and usage errors, as vitest and k6 users expect them. */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { spar, sparBin, tempDir, writeSuite } from "./cli-harness.ts";

const { version } = JSON.parse(
  await readFile(new URL("../../cli/package.json", import.meta.url), "utf8"),
) as {
  version: string;
};

describe("spar help and version", () => {
  it("prints the package version for --version and -v, on stdout, exit 0", async () => {
    const r = await sparBin(["--version"]);
    expect(r).toEqual({ code: 0, stdout: `spar ${version}\n`, stderr: "" });
    expect(await spar(["-v"])).toEqual({ code: 0, stdout: `spar ${version}\n`, stderr: "" });
  });

  it("prints the overview for bare spar, --help and help, on stdout, exit 0", async () => {
    const bare = await sparBin([]);
    expect(bare.code).toBe(0);
    expect(bare.stderr).toBe("");
    expect(bare.stdout).toMatch(/^spar — test voice AI agents/);
    expect(bare.stdout).toContain('Run "spar run --help", "spar probe --help" or "spar serve --help"');
    expect(await spar(["--help"])).toEqual(bare);
    expect(await spar(["help"])).toEqual(bare);
  });

  it("prints each command's own help for COMMAND --help, -h and help COMMAND", async () => {
    const run = await sparBin(["run", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^spar run \[SUITE\.\.\.\] \[options\]\n/);
    expect(run.stdout).toContain("--report-json PATH");
    expect(run.stdout).not.toContain("--first-speaker");
    expect(await spar(["help", "run"])).toEqual(run);
    const probe = await spar(["probe", "-h"]);
    expect(probe.code).toBe(0);
    expect(probe.stdout).toMatch(/^spar probe URL --secret S \[options\]\n/);
    expect(probe.stdout).toContain("--first-speaker agent");
    expect(probe.stdout).not.toContain("--report-json");
    const serve = await spar(["serve", "--help"]);
    expect([serve.code, serve.stdout]).toEqual([0, expect.stringMatching(/^spar serve \[options\]\n/)]);
    expect(serve.stdout).toContain("SPAR_OUTBOUND_POLICY");
  });
});

describe("spar usage errors", () => {
  it("print one line and a hint on stderr, exit 2, with no usage dump or stack", async () => {
    const r = await sparBin(["run", "--concurency", "8"]);
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'spar run: unknown option --concurency; did you mean --concurrency?\nrun "spar run --help" for the options\n',
    });
  });

  it("name an unknown command and suggest the near one", async () => {
    expect(await spar(["prob"])).toEqual({
      code: 2,
      stdout: "",
      stderr: 'spar: unknown command "prob"; did you mean probe?\nrun "spar --help" for the commands\n',
    });
    expect((await spar(["--nope"])).stderr).toBe(
      'spar: unknown option --nope\nrun "spar --help" for the commands\n',
    );
  });

  it("name the option whose value is missing or malformed", async () => {
    expect((await spar(["run", "--concurrency"])).stderr).toBe(
      'spar run: --concurrency needs a value: --concurrency VALUE\nrun "spar run --help" for the options\n',
    );
    expect((await spar(["run", "x.yaml", "--channel", "phone"])).stderr).toBe(
      'spar run: --channel must be text or voice, got "phone"\nrun "spar run --help" for the options\n',
    );
    expect((await spar(["probe", "ws://u:pw@127.0.0.1:99999/ws?k=1", "--secret", "s"])).stderr).toBe(
      'spar probe: ws://127.0.0.1:99999/ws: port 99999 is out of range; use 1-65535\nrun "spar probe --help" for the options\n',
    );
    expect((await spar(["probe", "ws://127.0.0.1:1/ws", "--secret", "s", "--timeout-s", "0"])).stderr).toBe(
      'spar probe: --timeout-s must be a number of seconds, 0 < N ≤ 3600, got "0"\nrun "spar probe --help" for the options\n',
    );
  });
});

describe("spar --verbose", () => {
  it("is accepted by run and probe, and run then says what it planned on stderr", async () => {
    const dir = await tempDir();
    const path = await writeSuite(
      dir,
      "verbose.yaml",
      `version: 1
agent: { id: a, text: { url: "ws://127.0.0.1:9/ws", secret: s, per_turn_timeout_s: 1 } }
scenarios:
  - { id: one, repeat: 2, script: [{ say: hi }] }
`,
    );
    const quiet = await spar(["run", path, "--only", "nope"]);
    expect(quiet.stderr).toBe("spar run: no scenario matches --only nope; scenario ids: one; tags: none\n");
    const r = await spar(["run", path, "--verbose", "--concurrency", "2"]);
    expect(r.stderr).toBe(`spar run: 2 runs planned (2 text, 0 voice) from ${path}, concurrency 2\n`);
    const probe = await spar([
      "probe",
      "ws://127.0.0.1:9/ws",
      "--secret",
      "s",
      "--verbose",
      "--timeout-s",
      "1",
    ]);
    expect(probe.stderr).toBe("");
    expect(probe.code).toBe(1);
  });
});
