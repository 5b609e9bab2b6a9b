/**
 * The composite GitHub Action (action.yml). GitHub itself cannot run here, so this reads the
 * action with `yaml`, fills in its `${{ }}` expressions the way the runner does, and runs its
 * bash steps for real, with a stand-in `spar` that records its argv and exits with a chosen code.
 */
import { spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";

const stepSchema = z.object({
  name: z.string(),
  id: z.string().optional(),
  shell: z.string().optional(),
  run: z.string().optional(),
  uses: z.string().optional(),
  "working-directory": z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  with: z.record(z.string(), z.string()).optional(),
});
type Step = z.infer<typeof stepSchema>;
const actionSchema = z.object({
  inputs: z.record(z.string(), z.object({ description: z.string(), default: z.string() })),
  outputs: z.record(z.string(), z.object({ value: z.string() })),
  runs: z.object({ using: z.literal("composite"), steps: z.array(stepSchema) }),
});

const action = actionSchema.parse(
  parse(await readFile(new URL("../../action.yml", import.meta.url), "utf8")),
);
const step = (name: string): Step => {
  const found = action.runs.steps.find((s) => s.name === name);
  if (!found) throw new Error(`action.yml has no step "${name}"`);
  return found;
};

type Context = Record<string, Record<string, string>>;

/** `${{ inputs.x }}` / `${{ steps.run.outputs.y }}` → value; an unknown name throws (a typo). */
function evaluate(text: string, context: Context): string {
  return text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, path: string) => {
    const [scope, ...rest] = path.split(".");
    const key = rest.join(".");
    const value = context[scope ?? ""]?.[key];
    if (value === undefined) throw new Error(`action.yml refers to an unknown ${path}`);
    return value;
  });
}

let temp: string;
let runnerTemp: string;
let workspace: string;
beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), "spar-action-"));
  runnerTemp = join(temp, "runner");
  workspace = join(temp, "workspace");
  const bin = join(runnerTemp, "spar", "node_modules", ".bin");
  await mkdir(bin, { recursive: true });
  await mkdir(join(workspace, "agent-tests"), { recursive: true });
  await writeFile(
    join(bin, "spar"),
    `#!${process.execPath}
require("node:fs").writeFileSync(process.env.STUB_ARGV, JSON.stringify(process.argv.slice(2)));
process.exit(Number(process.env.STUB_EXIT));
`,
  );
  await chmod(join(bin, "spar"), 0o755);
});
afterAll(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
});

/** Runs one bash step as the runner would: expressions filled in, env, working directory. */
async function runStep(s: Step, context: Context, extraEnv: Record<string, string>) {
  const output = join(temp, `output-${s.name.replaceAll(" ", "-")}`);
  await writeFile(output, "");
  const env = Object.fromEntries(Object.entries(s.env ?? {}).map(([k, v]) => [k, evaluate(v, context)]));
  const cwd = join(workspace, evaluate(s["working-directory"] ?? ".", context));
  const script = join(temp, `step-${s.name.replaceAll(" ", "-")}.sh`);
  await writeFile(script, evaluate(s.run ?? "", context));
  // GitHub's own command line for `shell: bash`.
  const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
    cwd,
    env: { PATH: process.env.PATH, RUNNER_TEMP: runnerTemp, GITHUB_OUTPUT: output, ...env, ...extraEnv },
    encoding: "utf8",
  });
  const outputs = Object.fromEntries(
    (await readFile(output, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  return { code: r.status, stderr: r.stderr, outputs };
}

/** A step's outputs as the `steps` scope sees them: `steps.<id>.outputs.<name>`. */
const stepOutputs = (id: string, outputs: Record<string, string>) =>
  Object.fromEntries(Object.entries(outputs).map(([k, v]) => [`${id}.outputs.${k}`, v]));

const inputs = (overrides: Record<string, string>) => ({
  ...Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default])),
  ...overrides,
});

describe("action.yml", () => {
  it("is a composite action whose every input is used by a step", () => {
    const used = new Set(
      Array.from(
        JSON.stringify(action.runs.steps).matchAll(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g),
        (m) => m[1],
      ),
    );
    expect([...used].sort()).toEqual(Object.keys(action.inputs).sort());
    // Inputs reach bash through env, never spliced into a script (no shell injection from a value).
    expect(action.runs.steps.filter((s) => s.run?.includes("${{")).map((s) => s.name)).toEqual([]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template
    expect(action.outputs["exit-code"]?.value).toBe("${{ steps.run.outputs.exit-code }}");
  });

  it("runs spar with every input as its option, then fails the job with spar's exit code", async () => {
    const argvFile = join(temp, "argv.json");
    const context = {
      inputs: inputs({
        suites: "smoke.yaml billing.yaml",
        "agent-url": "wss://agent.example/ws",
        secret: "s3cret",
        tag: "smoke billing",
        concurrency: "8",
        junit: "out/junit.xml",
        report: "out/report.json",
        "working-directory": "agent-tests",
      }),
    };
    const run = await runStep(step("Run Spar"), context, { STUB_ARGV: argvFile, STUB_EXIT: "1" });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(await readFile(argvFile, "utf8"))).toEqual([
      "run",
      "smoke.yaml",
      "billing.yaml",
      "--junit",
      "out/junit.xml",
      "--report-json",
      "out/report.json",
      "--agent-url",
      "wss://agent.example/ws",
      "--secret",
      "s3cret",
      "--concurrency",
      "8",
      "--tag",
      "smoke",
      "--tag",
      "billing",
    ]);
    expect(run.outputs).toEqual({
      "exit-code": "1",
      junit: join(workspace, "agent-tests", "out", "junit.xml"),
      report: join(workspace, "agent-tests", "out", "report.json"),
    });

    const upload = step("Upload Spar reports");
    expect(upload.uses).toMatch(/^actions\/upload-artifact@v\d+$/);
    const after = { ...context, steps: stepOutputs("run", run.outputs) };
    const paths = evaluate(upload.with?.path ?? "", after);
    expect(paths.trim().split("\n")).toEqual([run.outputs.junit, run.outputs.report]);

    const fail = await runStep(step("Fail on Spar failures"), after, {});
    expect(fail.code).toBe(1);
  });

  it("passes only the suites and report paths when the optional inputs are empty", async () => {
    const argvFile = join(temp, "argv-defaults.json");
    const run = await runStep(
      step("Run Spar"),
      { inputs: inputs({}) },
      { STUB_ARGV: argvFile, STUB_EXIT: "0" },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(await readFile(argvFile, "utf8"))).toEqual([
      "run",
      "spar.yaml",
      "--junit",
      "spar-junit.xml",
      "--report-json",
      "spar-report.json",
    ]);
    expect(run.outputs["exit-code"]).toBe("0");
  });
});
