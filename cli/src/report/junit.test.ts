import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunReport } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { renderJunit, writeJunit } from "./junit.ts";
import { HOSTILE, interruptedRun, sampleSuiteReport } from "./sample-suite-report.ts";

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlElement[];
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|[a-z]+);/g, (_m, e: string) =>
    e.startsWith("#") ? String.fromCharCode(Number(e.slice(1))) : (ENTITIES[e] ?? `&${e};`),
  );
}

/** Just enough of an XML parser to read our JUnit back; throws on anything not well-formed. */
function parseXml(xml: string): XmlElement {
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, "");
  const root: XmlElement = { name: "#root", attributes: {}, text: "", children: [] };
  const stack = [root];
  const token = /<(\/?)([\w-]+)((?:\s+[\w-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  for (const m of body.matchAll(token)) {
    const top = stack[stack.length - 1];
    if (!top) throw new Error("unbalanced");
    const [, closing, name, attrs, selfClosing, text] = m;
    if (text !== undefined) {
      if (/&(?!(#\d+|amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`bare & in ${text}`);
      top.text += decodeEntities(text);
    } else if (closing) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      const attributes: Record<string, string> = {};
      for (const a of (attrs ?? "").matchAll(/([\w-]+)="([^"]*)"/g))
        attributes[a[1] ?? ""] = decodeEntities(a[2] ?? "");
      const element: XmlElement = { name: name ?? "", attributes, text: "", children: [] };
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  if (stack.length !== 1 || root.children.length !== 1 || !root.children[0]) throw new Error("not one root");
  return root.children[0];
}

describe("renderJunit", () => {
  const xml = renderJunit(sampleSuiteReport);
  const suites = parseXml(xml);
  const suite = suites.children[0];
  const cases = suite?.children.filter((c) => c.name === "testcase") ?? [];

  it("writes well-formed XML with no character XML 1.0 forbids", () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for forbidden characters
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  });

  it("counts tests and failures on the suite", () => {
    expect(suites.attributes).toMatchObject({ tests: "4", failures: "2", errors: "0", time: "0.812" });
    expect(suite?.attributes).toMatchObject({
      name: "billing.yaml",
      tests: "4",
      failures: "2",
      timestamp: "2025-01-02T03:04:05.000Z",
    });
  });

  it("has one testcase per run named scenario#attempt, with time in seconds", () => {
    expect(cases.map((c) => [c.attributes.classname, c.attributes.name, c.attributes.time])).toEqual([
      ["billing.yaml", "pay-bill#1", "0.203"],
      ["billing.yaml", "pay-bill#2", "0.180"],
      ["billing.yaml", "angry-refund#1", "1.500"],
      ["billing.yaml", "escape#1", "0.090"],
    ]);
    expect(cases[0]?.children).toEqual([]);
  });

  it("puts the error and the failed assertions in <failure>, typed by the end reason", () => {
    const failure = cases[2]?.children.find((c) => c.name === "failure");
    expect(failure?.attributes).toEqual({ message: "agent did not reply within 1 s", type: "agent_timeout" });
    expect(failure?.text).toBe("agent did not reply within 1 s\n✗ agent_said: not evaluated: the run failed");
    expect(cases[2]?.children.find((c) => c.name === "system-out")?.text).toBe(
      "[0 ms] user: I want a refund",
    );
  });

  it("escapes markup, quotes, line breaks and control characters so they read back intact", () => {
    const failure = cases[3]?.children.find((c) => c.name === "failure");
    const visible = HOSTILE.replace("\u0001", "\\u0001").replace("\u001B", "\\u001B");
    expect(failure?.attributes.type).toBe("script_failed");
    expect(failure?.attributes.message).toBe(
      `expectation failed: expected /confirm/i, agent said ${visible}\nsecond line`,
    );
    expect(failure?.text).toBe(
      `expectation failed: expected /confirm/i, agent said ${visible}\nsecond line\n✗ agent_never_said: agent said ${visible}`,
    );
  });
});

describe("renderJunit with function calls and a run that failed on its assertions", () => {
  it("writes each call with its name and arguments and each result with its value, typed assertion_failed", () => {
    const run = {
      ...sampleSuiteReport.runs[2],
      run_id: "r9",
      status: "completed" as const,
      ended_reason: "agent_ended" as const,
      transcript: [
        {
          role: "function_call" as const,
          content: "",
          at_ms: 7,
          data: { id: "c1", name: "pay", arguments: { amount: 42 } },
        },
        {
          role: "function_call_result" as const,
          content: "",
          at_ms: 9,
          data: { id: "c1", name: "pay", result: { ok: true } },
        },
      ],
      assertions: [{ kind: "agent_said", passed: false, detail: "no match" }],
      error: "agent_said: no match",
    };
    const root = parseXml(renderJunit({ ...sampleSuiteReport, runs: [run as RunReport] }));
    const testcase = root.children[0]?.children.find((c) => c.name === "testcase");
    expect(testcase?.children.find((c) => c.name === "failure")?.attributes.type).toBe("assertion_failed");
    expect(testcase?.children.find((c) => c.name === "system-out")?.text).toBe(
      '[7 ms] function_call: pay({"amount":42})\n[9 ms] function_call_result: pay → {"ok":true}',
    );
  });
});

describe("renderJunit with an interrupted run", () => {
  it("marks it skipped with the message interrupted, counted as skipped and not as a failure", () => {
    const report = {
      ...sampleSuiteReport,
      runs: [...sampleSuiteReport.runs, interruptedRun],
    };
    const root = parseXml(renderJunit(report));
    expect(root.attributes).toMatchObject({ tests: "5", failures: "2", errors: "0", skipped: "1" });
    const testcase = root.children[0]?.children.find((c) => c.attributes.name === "slow-agent#1");
    expect(testcase?.children.map((c) => [c.name, c.attributes])).toEqual([
      ["skipped", { message: "interrupted" }],
      ["system-out", {}],
    ]);
  });
});

describe("writeJunit", () => {
  it("creates parent folders and leaves no temp file behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "spar-junit-"));
    try {
      const path = join(dir, "nested", "deeper", "junit.xml");
      await writeJunit(path, sampleSuiteReport);
      expect(await readFile(path, "utf8")).toBe(renderJunit(sampleSuiteReport));
      expect(await readdir(join(dir, "nested", "deeper"))).toEqual(["junit.xml"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
