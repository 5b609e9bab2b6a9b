// biome-ignore-all lint/suspicious/noTemplateCurlyInString: suite files and flags write ${VAR} literally; that is what is tested
import { describe, expect, it } from "vitest";
import { parseSuiteText } from "./load-suite.ts";
import { UsageError } from "./usage-error.ts";

const SUITE = `version: 1
agent:
  id: bot
  text: { url: "\${BOT_URL}", secret: "\${BOT_SECRET}" }
scenarios:
  - { id: a, script: [{ say: hi }] }
`;

function usageError(run: () => unknown): { message: string; details: readonly string[] } {
  try {
    run();
  } catch (e) {
    if (e instanceof UsageError) return { message: e.message, details: e.details };
    throw e;
  }
  throw new Error("no UsageError");
}

describe("parseSuiteText overrides", () => {
  it("replaces agent.text fields before interpolation, so the variables they replace need not be set", () => {
    const suite = parseSuiteText("s.yaml", SUITE, { BOT_URL: "ws://127.0.0.1:1/ws" }, { secret: "s3cret" });
    expect(suite.agent.text).toMatchObject({ url: "ws://127.0.0.1:1/ws", secret: "s3cret" });
    const both = parseSuiteText("s.yaml", SUITE, {}, { agentUrl: "wss://agent.example/ws", secret: "x" });
    expect(both.agent.text).toMatchObject({ url: "wss://agent.example/ws", secret: "x" });
  });

  it("still names a variable no override replaces", () => {
    expect(usageError(() => parseSuiteText("s.yaml", SUITE, {}, { secret: "s" }))).toEqual({
      message: "s.yaml: invalid suite",
      details: ["agent.text.url: environment variable BOT_URL is not set; export it or edit the suite"],
    });
  });

  it("takes a flag's value literally, never interpolating a ${VAR} inside it", () => {
    const suite = parseSuiteText(
      "s.yaml",
      SUITE,
      { BOT_URL: "ws://h/ws", HOME: "/root" },
      { secret: "a${HOME}b$${HOME}c${" },
    );
    expect(suite.agent.text?.secret).toBe("a${HOME}b$${HOME}c${");
  });

  it("refuses an override for a suite without agent.text, naming the flag", () => {
    const voiceOnly = `version: 1
agent: { id: bot, voice: { livekit: { mode: manual, url: "ws://h", token: t } } }
defaults: { channel: voice }
scenarios: [{ id: a, script: [{ say: hi }] }]
`;
    expect(usageError(() => parseSuiteText("v.yaml", voiceOnly, {}, { secret: "s" })).message).toBe(
      "v.yaml: --secret overrides agent.text, but this suite has no agent.text; add one or drop the flag",
    );
  });
});

describe("parseSuiteText syntax errors", () => {
  it("name the line and column and show the offending line with a caret", () => {
    const text = "version: 1\nagent:\n  id: x\n   text: 2\n";
    expect(usageError(() => parseSuiteText("s.yaml", text, {}))).toEqual({
      message:
        "s.yaml:3:7: not valid YAML/JSON (line 3, column 7): Nested mappings are not allowed in compact mappings",
      details: ["  2 | agent:", "> 3 |   id: x", "    |       ^"],
    });
  });

  it("name a duplicate key where the second one is", () => {
    expect(usageError(() => parseSuiteText("s.yaml", "version: 1\nversion: 2\n", {}))).toEqual({
      message: "s.yaml:2:1: not valid YAML/JSON (line 2, column 1): Map keys must be unique",
      details: ["  1 | version: 1", "> 2 | version: 2", "    | ^"],
    });
  });
});
