/**
 * Every YAML example in README.md and docs/ loads with the real suite loader: users copy them,
 * so an example the loader refuses is a bug in the documentation.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadYamlExample } from "./check-yaml-example.ts";
import { type CodeBlock, codeBlocks, readDoc, userDocs } from "./markdown-blocks.ts";

const blocks: CodeBlock[] = userDocs().flatMap((file) => codeBlocks(file, readDoc(file)));
const yamlBlocks = blocks.filter((b) => b.lang === "yaml" || b.lang === "yml");

describe("YAML examples of the documentation", () => {
  it("finds every YAML fence of the documentation, indented ones included", () => {
    const fences = userDocs().flatMap((file) =>
      readDoc(file)
        .split("\n")
        .flatMap((line, i) => (/^\s*```ya?ml\s*$/.test(line) ? [`${file}:${i + 1}`] : [])),
    );
    expect(yamlBlocks.map((b) => b.where)).toEqual(fences);
    const files = new Set(yamlBlocks.map((b) => b.where.split(":")[0]));
    expect([...files].sort()).toEqual(["README.md", "docs/suite-file.md", "docs/text-protocol.md"]);
  });

  it("marks fragments only with a path the loader can place them at", () => {
    const markers = yamlBlocks.flatMap((b) => (b.marker ? [`${b.marker.key}: ${b.marker.value}`] : []));
    for (const m of markers)
      expect(m).toMatch(/^(fragment: [a-z_]+(\.[a-z_]+|\[\d+\])*|not-a-suite: github-workflow)$/);
  });

  const suites = yamlBlocks.filter((b) => b.marker?.key !== "not-a-suite");
  const others = yamlBlocks.filter((b) => b.marker?.key === "not-a-suite");

  it.each(others.map((b) => [b.where, b] as const))(
    "%s (a workflow) uses only inputs action.yml declares",
    (_where, block) => {
      const workflow = parseYaml(block.text, { uniqueKeys: true }) as {
        jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>;
      };
      const action = parseYaml(readFileSync("action.yml", "utf8")) as { inputs: Record<string, unknown> };
      const ours = Object.values(workflow.jobs)
        .flatMap((job) => job.steps)
        .filter((step) => step.uses?.includes("/spar@"));
      expect(ours).toHaveLength(1);
      for (const key of Object.keys(ours[0]?.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
    },
  );

  it.each(suites.map((b) => [b.where, b] as const))("%s loads as a valid suite", (_where, block) => {
    const fragment = block.marker?.key === "fragment" ? block.marker.value : undefined;
    expect(() => loadYamlExample(block.where, block.text, fragment)).not.toThrow();
  });
});

describe("the YAML example check", () => {
  it("refuses a suite the loader refuses, with the loader's reason", () => {
    const broken =
      "version: 1\nagent: { id: a, text: { url: ws://h/ws, secret: s } }\nscenarios:\n  - id: x\n    script: [{ say: hi, end: true }]\n";
    expect(() => loadYamlExample("broken.md:1", broken)).toThrow(
      "broken.md:1: invalid suite\n  scenarios[0].script[0]: a step takes one action, got say and end; split it into two steps",
    );
  });

  it("refuses an unquoted variable inside a flow mapping", () => {
    const broken = `version: 1\nagent: { id: a, text: { url: ws://h/ws, secret: \${S} } }\nscenarios:\n  - id: x\n    script: [{ say: hi }]\n`;
    expect(() => loadYamlExample("flow.md:1", broken)).toThrow(
      /^flow\.md:1:2:50: not valid YAML\/JSON \(line 2, column 50\)/,
    );
  });

  it("places a fragment at its path and holds it to the schema", () => {
    const voice = "livekit: { mode: manual, url: wss://lk.example/x, token: t }\n";
    expect(loadYamlExample("f.md:1", voice, "agent.voice").agent.voice?.livekit.mode).toBe("manual");
    expect(() => loadYamlExample("f.md:2", "livekit: { mode: manual }\n", "agent.voice")).toThrow(
      "agent.voice.livekit.url",
    );
  });
});

describe("shell examples of the documentation", () => {
  it("point at docs/, never at the internal spec/ files", () => {
    const shell = blocks.filter((b) => ["sh", "bash", "shell", "console", "text", ""].includes(b.lang));
    const offenders = shell.filter((b) => /\bspec\//.test(b.text)).map((b) => b.where);
    expect(offenders).toEqual([]);
  });

  it("and neither does any documentation page's prose", () => {
    const offenders = userDocs().filter((file) => /(^|[\s`(/])spec\/[\w-]+\.md/m.test(readDoc(file)));
    expect(offenders).toEqual([]);
  });
});
