// biome-ignore-all lint/suspicious/noTemplateCurlyInString: suite files write ${VAR} literally; that is what is tested
import { describe, expect, it } from "vitest";
import { errorsOf, llm, suiteWith, textAgent, voiceAgent } from "./suite.fixture.ts";
import { ASSERTION_KINDS, parseSuite, type SuiteInput } from "./suite.ts";

describe("parseSuite: errors name the path", () => {
  it("names the step whose expect is an invalid regex", () => {
    const scenarios = [
      { id: "a", script: [{ say: "hi" }] },
      { id: "b", script: [{ say: "hi" }] },
      { id: "c", script: [{ say: "hi" }, { expect: "/(unclosed/i" }] },
    ];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[2].script[1].expect: invalid regex /(unclosed/i: Invalid regular expression: /(unclosed/i: Unterminated group",
    ]);
  });

  it("names an invalid regex in an assertion", () => {
    const scenarios = [{ id: "s", script: [{ say: "hi" }], assertions: [{ agent_never_said: "/[/" }] }];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[0].assertions[0].agent_never_said: invalid regex /[/: Invalid regular expression: /[/: Unterminated character class",
    ]);
  });

  it("names an unknown field in a scenario", () => {
    const scenarios = [{ id: "s", script: [{ say: "hi" }], tgas: ["x"] }];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[0]: unknown field `tgas` (check the spelling)",
    ]);
  });

  it("names several unknown fields at once", () => {
    expect(errorsOf(suiteWith({ agents: {}, scenario: [] }))).toEqual([
      "(root): unknown fields `agents`, `scenario` (check the spelling)",
    ]);
  });

  it("names an unknown field in a step", () => {
    const scenarios = [{ id: "s", script: [{ sya: "hi" }] }];
    expect(errorsOf(suiteWith({ scenarios }))).toContain(
      "scenarios[0].script[0]: unknown field `sya` (check the spelling)",
    );
  });

  it("names an unknown field in the text channel", () => {
    const agent = { id: "bot", text: { url: "ws://127.0.0.1:1/ws", secret: "s", timeout_s: 5 } };
    expect(errorsOf(suiteWith({ agent }))).toEqual([
      "agent.text: unknown field `timeout_s` (check the spelling)",
    ]);
  });

  it("names the value of a known assertion kind that is not accepted", () => {
    const assertions = [{ ended_by: "platform" }, { agent_said: "" }, { function_called: { nam: "pay" } }];
    const scenarios = [{ id: "s", script: [{ say: "hi" }], assertions }];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[0].assertions[0].ended_by: must be one of agent, caller",
      "scenarios[0].assertions[1].agent_said: must not be empty",
      "scenarios[0].assertions[2].function_called.name: is required (string)",
      "scenarios[0].assertions[2].function_called: unknown field `nam` (check the spelling)",
    ]);
  });

  it("names an unknown assertion kind and lists the valid ones", () => {
    const assertions = [
      { agent_said: "hi" },
      { agent_says: "hi" },
      {},
      { agent_said: "a", ended_by: "agent" },
      "judge",
    ];
    const scenarios = [{ id: "s", script: [{ say: "hi" }], assertions }];
    const kinds =
      "agent_said, agent_never_said, function_called, ended_by, ended_reason, max_latency_ms, metadata, judge";
    expect(ASSERTION_KINDS.join(", ")).toBe(kinds);
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      `scenarios[0].assertions[1]: unknown assertion "agent_says"; valid kinds: ${kinds}`,
      `scenarios[0].assertions[2]: empty assertion; give one of: ${kinds}`,
      "scenarios[0].assertions[3]: an assertion has one kind, got agent_said and ended_by; give each its own list item",
      `scenarios[0].assertions[4]: an assertion is one \`kind: value\` pair, e.g. agent_said: …; valid kinds: ${kinds}`,
    ]);
  });

  it("names an unknown or missing LiveKit mode and lists the valid ones", () => {
    const agent = (livekit: unknown) => ({ id: "bot", text: textAgent.text, voice: { livekit } });
    expect(errorsOf(suiteWith({ agent: agent({ mode: "cloud", url: "wss://lk" }) }))).toEqual([
      'agent.voice.livekit.mode: unknown mode "cloud"; valid modes: manual, client, rubric, token_endpoint',
    ]);
    expect(errorsOf(suiteWith({ agent: agent({ url: "wss://lk" }) }))).toEqual([
      "agent.voice.livekit.mode: is required; one of manual, client, rubric, token_endpoint",
    ]);
  });

  it("refuses a step with two actions", () => {
    const scenarios = [{ id: "s", script: [{ say: "hi" }, { say: "bye", end: true }] }];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[0].script[1]: a step takes one action, got say and end; split it into two steps",
    ]);
  });

  it("names every action of a step with three", () => {
    const scenarios = [{ id: "s", script: [{ dtmf: "1", wait_ms: 10, wait_for_end: true }] }];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[0].script[0]: a step takes one action, got dtmf and wait_ms and wait_for_end; split it into two steps",
    ]);
  });

  it("refuses an empty step", () => {
    const scenarios = [{ id: "s", script: [{ say: "hi" }, {}] }];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[0].script[1]: empty step: give say, expect, dtmf, wait_ms, end or wait_for_end",
    ]);
  });

  it("refuses an empty script", () => {
    expect(errorsOf(suiteWith({ scenarios: [{ id: "s", script: [] }] }))).toEqual([
      "scenarios[0].script: Too small: expected array to have >=1 items",
    ]);
  });

  it("refuses end: false, since only true means something", () => {
    const scenarios = [{ id: "s", script: [{ end: false }] }];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual(["scenarios[0].script[0].end: must be true"]);
  });

  it("refuses interrupt_after_ms without say", () => {
    const r = errorsOf(
      suiteWith({
        agent: { id: "bot", voice: voiceAgent },
        defaults: { channel: "voice" },
        scenarios: [{ id: "s", script: [{ expect: "hello", interrupt_after_ms: 500 }] }],
      }),
    );
    expect(r).toEqual([
      "scenarios[0].script[0].interrupt_after_ms: needs `say`: what the caller says when barging in",
    ]);
  });

  it("refuses interrupt_after_ms on a text scenario", () => {
    const scenarios = [{ id: "s", script: [{ say: "stop", interrupt_after_ms: 500 }] }];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[0].script[0].interrupt_after_ms: is voice only",
    ]);
  });

  it("refuses interrupt_after_ms on a text scenario without say, saying both", () => {
    const scenarios = [{ id: "s", script: [{ expect: "hi", interrupt_after_ms: 500 }] }];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[0].script[0].interrupt_after_ms: needs `say`: what the caller says when barging in",
      "scenarios[0].script[0].interrupt_after_ms: is voice only",
    ]);
  });

  it("refuses duplicate scenario ids, naming the first", () => {
    const scenarios = [
      { id: "a", script: [{ say: "hi" }] },
      { id: "b", script: [{ say: "hi" }] },
      { id: "a", script: [{ say: "hi" }] },
    ];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual(["scenarios[2].id: duplicate id (also scenarios[0])"]);
  });

  it("refuses an id with characters outside the rule", () => {
    expect(errorsOf(suiteWith({ scenarios: [{ id: "pay bill", script: [{ say: "hi" }] }] }))).toEqual([
      "scenarios[0].id: use 1-128 letters, digits, `_`, `.`, `:` or `-`",
    ]);
  });

  it("refuses a persona scenario without caller.llm", () => {
    const scenarios = [{ id: "s", persona: "An impatient customer" }];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[0]: a persona scenario needs caller.llm (base_url, model, api_key)",
    ]);
  });

  it("accepts a persona scenario with caller.llm", () => {
    expect(
      parseSuite(suiteWith({ caller: { llm }, scenarios: [{ id: "s", goal: "Get a refund" }] })).ok,
    ).toBe(true);
  });

  it("refuses a scenario with neither script nor persona", () => {
    expect(errorsOf(suiteWith({ caller: { llm }, scenarios: [{ id: "s" }] }))).toEqual([
      "scenarios[0]: needs a `script`, or a `persona`/`goal` for the LLM caller",
    ]);
  });

  it("refuses a judge assertion without caller.llm", () => {
    const scenarios = [
      {
        id: "s",
        script: [{ say: "hi" }],
        assertions: [{ ended_by: "agent" }, { judge: "The agent was polite" }],
      },
    ];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[0].assertions[1].judge: the LLM judge needs caller.llm",
    ]);
  });

  it("refuses a text scenario when agent.text is not configured", () => {
    expect(errorsOf(suiteWith({ agent: { id: "bot", voice: voiceAgent } }))).toEqual([
      "scenarios[0]: runs on the text channel but agent.text is not configured",
    ]);
  });

  it("refuses a voice scenario when agent.voice is not configured", () => {
    const scenarios = [{ id: "s", channel: "voice", script: [{ say: "hi" }] }];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[0]: runs on the voice channel but agent.voice is not configured",
    ]);
  });

  it("names a forwarded metadata header that may not be set", () => {
    const scenarios = [
      {
        id: "s",
        script: [{ say: "hi" }],
        metadata: { "X-RUBRIC-SECRET": "x", "X-Bad Name": "v", note: "ok" },
      },
    ];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[0].metadata.X-RUBRIC-SECRET: X-RUBRIC-* headers are set by the platform and cannot be overridden; rename it",
      "scenarios[0].metadata.X-Bad Name: is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)",
    ]);
  });

  it("names a forwarded metadata header whose value would split the header", () => {
    const scenarios = [{ id: "s", script: [{ say: "hi" }], metadata: { "X-Note": "a\r\nb" } }];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[0].metadata.X-Note: value contains CR, LF or NUL, which would split the header",
    ]);
  });

  it.each([
    ["http://127.0.0.1:8080/ws", "must be a ws:// or wss:// URL, not http://"],
    ["127.0.0.1:8080", "must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:8080/path"],
    ["ws://", "is not a valid URL; write it as a ws:// or wss:// URL, e.g. ws://host:port/path"],
    ["ws://exa mple.com/ws", "must not contain spaces; percent-encode them as %20"],
    ["", "must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:8080/path"],
    ["ws://127.0.0.1:99999/ws", "port 99999 is out of range; use 1-65535"],
  ])("refuses %j as the text channel URL, saying why", (url, why) => {
    expect(errorsOf(suiteWith({ agent: { id: "bot", text: { url, secret: "s" } } }))).toEqual([
      `agent.text.url: ${why}`,
    ]);
  });

  it("names a livekit URL that is not ws", () => {
    const agent = {
      id: "bot",
      text: textAgent.text,
      voice: { livekit: { mode: "manual", url: "https://lk" } },
    };
    expect(errorsOf(suiteWith({ agent }))).toEqual([
      "agent.voice.livekit.url: must be a ws:// or wss:// URL, not https://",
    ]);
  });

  it.each([["12a"], [""], ["1".repeat(33)], ["1 2"]])("refuses dtmf digits %j", (digits) => {
    const scenarios = [{ id: "s", script: [{ dtmf: digits }] }];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[0].script[0].dtmf: use 1-32 of 0-9, * and #",
    ]);
  });

  it("refuses a version other than 1", () => {
    expect(errorsOf(suiteWith({ version: 2 }))).toEqual(["version: must be 1"]);
  });

  it("refuses a tree that is not an object", () => {
    expect(errorsOf("version: 1")).toEqual(["(root): Invalid input: expected object, received string"]);
  });

  it("reports at most 50 errors", () => {
    const scenarios = Array.from({ length: 60 }, (_, i) => ({ id: `s${i}`, script: [{}] }));
    const errors = errorsOf(suiteWith({ scenarios }));
    expect(errors).toHaveLength(50);
    expect(errors[49]).toBe(
      "scenarios[49].script[0]: empty step: give say, expect, dtmf, wait_ms, end or wait_for_end",
    );
  });

  it("types the written suite before defaults", () => {
    const input: SuiteInput = {
      version: 1,
      agent: { id: "bot" },
      scenarios: [{ id: "s", script: [{ say: "hi" }] }],
    };
    expect(input.defaults).toBeUndefined();
  });
});
