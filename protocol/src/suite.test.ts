// biome-ignore-all lint/suspicious/noTemplateCurlyInString: suite files write ${VAR} literally; that is what is tested
import { describe, expect, it } from "vitest";
import { ASSERTION_KINDS, formatPath, interpolateEnv, parseSuite, type SuiteInput } from "./suite.ts";

/** The example suite of spec/suite-file.md, as the YAML parser hands it over. */
const specExample = {
  version: 1,
  agent: {
    id: "billing-bot",
    text: {
      url: "ws://127.0.0.1:8080/ws",
      secret: "${BILLING_BOT_SECRET}",
      per_turn_timeout_s: 120,
      max_duration_s: 600,
      first_speaker: "caller",
    },
    voice: {
      livekit: { mode: "manual", url: "ws://127.0.0.1:7880", token: "${LK_CALLER_TOKEN}" },
      agent_identity: "agent-under-test",
    },
  },
  caller: {
    llm: { base_url: "https://api.openai.com/v1", model: "gpt-4o-mini", api_key: "${OPENAI_API_KEY}" },
    tts: { provider: "offline" },
  },
  defaults: { channel: "text", repeat: 1 },
  scenarios: [
    {
      id: "pay-bill",
      name: "Cooperative Upbeat Payment Flow",
      tags: ["billing", "smoke"],
      metadata: { "X-Bot-Id": "billing", customer_tier: "gold" },
      script: [
        { say: "Hi, I'd like to pay my bill" },
        { expect: "account number", say: 'It is <dtmf digits="12345#"/>' },
        { expect: "/confirm/i", say: "Yes, go ahead" },
        { wait_for_end: true },
      ],
      assertions: [
        { agent_said: "/payment (is )?complete/i" },
        { agent_never_said: "/sorry|error/i" },
        { function_called: { name: "process_payment", arguments: { amount: 42 } } },
        { ended_by: "agent" },
        { max_latency_ms: 2000 },
        { metadata: { payment_status: "paid" } },
      ],
      repeat: 3,
    },
    {
      id: "angry-refund",
      persona: "An impatient customer who was double charged",
      goal: "Get a refund for the duplicate charge of $19.99",
      max_turns: 12,
      assertions: [{ judge: "The agent offered a refund or escalated to a human" }],
    },
  ],
};

const env = { BILLING_BOT_SECRET: "bb-secret", LK_CALLER_TOKEN: "lk-token", OPENAI_API_KEY: "sk-test" };

const textAgent = { id: "bot", text: { url: "ws://127.0.0.1:8080/ws", secret: "s" } };
const voiceAgent = { livekit: { mode: "manual", url: "ws://127.0.0.1:7880", token: "t" } };
const llm = { base_url: "https://api.openai.com/v1", model: "gpt-4o-mini" };

/** A minimal valid suite with `scenarios` (and any root fields) replaced. */
const suiteWith = (over: Record<string, unknown>) => ({
  version: 1,
  agent: textAgent,
  scenarios: [{ id: "s", script: [{ say: "hi" }] }],
  ...over,
});

const errorsOf = (tree: unknown): string[] => {
  const r = parseSuite(tree);
  if (r.ok) throw new Error("expected the suite to be rejected");
  return r.errors;
};

describe("parseSuite: the spec example", () => {
  it("parses after interpolation, with every default applied", () => {
    const interpolated = interpolateEnv(specExample, env);
    expect(interpolated.errors).toEqual([]);
    expect(parseSuite(interpolated.value)).toEqual({
      ok: true,
      suite: {
        version: 1,
        agent: {
          id: "billing-bot",
          text: {
            url: "ws://127.0.0.1:8080/ws",
            secret: "bb-secret",
            per_turn_timeout_s: 120,
            max_duration_s: 600,
            first_speaker: "caller",
            settle_ms: 300,
          },
          voice: {
            livekit: { mode: "manual", url: "ws://127.0.0.1:7880", token: "lk-token" },
            agent_identity: "agent-under-test",
          },
        },
        caller: {
          llm: { base_url: "https://api.openai.com/v1", model: "gpt-4o-mini", api_key: "sk-test" },
          tts: { provider: "offline" },
        },
        defaults: { channel: "text", repeat: 1 },
        scenarios: specExample.scenarios,
      },
    });
  });

  it("reports the unset variables of the example by path", () => {
    expect(interpolateEnv(specExample, {}).errors).toEqual([
      "agent.text.secret: environment variable BILLING_BOT_SECRET is not set; export it or edit the suite",
      "agent.voice.livekit.token: environment variable LK_CALLER_TOKEN is not set; export it or edit the suite",
      "caller.llm.api_key: environment variable OPENAI_API_KEY is not set; export it or edit the suite",
    ]);
  });
});

describe("parseSuite: defaults", () => {
  it("fills the text channel and suite defaults", () => {
    const r = parseSuite(suiteWith({}));
    expect(r).toEqual({
      ok: true,
      suite: {
        version: 1,
        agent: {
          id: "bot",
          text: {
            url: "ws://127.0.0.1:8080/ws",
            secret: "s",
            per_turn_timeout_s: 120,
            max_duration_s: 600,
            first_speaker: "caller",
            settle_ms: 300,
          },
        },
        defaults: { channel: "text", repeat: 1 },
        scenarios: [{ id: "s", script: [{ say: "hi" }] }],
      },
    });
  });

  it("fills missing fields of a partial defaults block", () => {
    const r = parseSuite(suiteWith({ defaults: { repeat: 5 } }));
    expect(r.ok && r.suite.defaults).toEqual({ channel: "text", repeat: 5 });
  });

  it("accepts wss:// and first_speaker agent", () => {
    const r = parseSuite(
      suiteWith({
        agent: {
          id: "bot",
          text: { url: "wss://agent.example.com/ws?x=1", secret: "s", first_speaker: "agent" },
        },
      }),
    );
    expect(r.ok && r.suite.agent.text).toEqual({
      url: "wss://agent.example.com/ws?x=1",
      secret: "s",
      per_turn_timeout_s: 120,
      max_duration_s: 600,
      first_speaker: "agent",
      settle_ms: 300,
    });
  });

  it("accepts every script step kind", () => {
    const script = [
      { say: "hi" },
      { expect: "hello" },
      { dtmf: "123#" },
      { wait_ms: 0 },
      { expect: "/bye/i", end: true },
    ];
    const r = parseSuite(
      suiteWith({
        scenarios: [
          { id: "s", script },
          { id: "t", script: [{ wait_for_end: true }] },
        ],
      }),
    );
    expect(r.ok && r.suite.scenarios[0]?.script).toEqual(script);
  });

  it("refuses steps after end or wait_for_end, which could never play", () => {
    const scenarios = [
      { id: "s", script: [{ say: "hi" }, { end: true as const }, { say: "more" }] },
      { id: "t", script: [{ wait_for_end: true as const }, { expect: "bye" }] },
    ];
    expect(errorsOf(suiteWith({ scenarios }))).toEqual([
      "scenarios[0].script[2]: never plays: the call is over after `end: true` (step 2); make it the last step",
      "scenarios[1].script[1]: never plays: the call is over after `wait_for_end: true` (step 1); make it the last step",
    ]);
  });

  it("accepts interrupt_after_ms with say on a voice scenario", () => {
    const r = parseSuite(
      suiteWith({
        agent: { id: "bot", voice: voiceAgent },
        defaults: { channel: "voice" },
        scenarios: [{ id: "s", script: [{ say: "wait, stop", interrupt_after_ms: 800 }] }],
      }),
    );
    expect(r.ok).toBe(true);
  });

  it("accepts the ended_reason assertion", () => {
    const r = parseSuite(
      suiteWith({
        scenarios: [{ id: "s", script: [{ say: "hi" }], assertions: [{ ended_reason: "agent_ended" }] }],
      }),
    );
    expect(r.ok).toBe(true);
  });
});

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

describe("formatPath", () => {
  it("writes object keys with dots and array indexes in brackets", () => {
    expect(formatPath(["scenarios", 2, "script", 1, "expect"])).toBe("scenarios[2].script[1].expect");
    expect(formatPath(["agent", "text", "url"])).toBe("agent.text.url");
    expect(formatPath([0, "id"])).toBe("[0].id");
  });

  it("names the root when the path is empty", () => {
    expect(formatPath([])).toBe("(root)");
  });
});

describe("interpolateEnv", () => {
  it("replaces ${VAR} in every string of the tree", () => {
    const tree = { a: "${HOST}:${PORT}", b: ["x-${HOST}", 7, true, null], c: { d: "plain" } };
    expect(interpolateEnv(tree, { HOST: "localhost", PORT: "8080" })).toEqual({
      value: { a: "localhost:8080", b: ["x-localhost", 7, true, null], c: { d: "plain" } },
      errors: [],
    });
  });

  it("replaces a variable set to the empty string", () => {
    expect(interpolateEnv({ a: "[${EMPTY}]" }, { EMPTY: "" })).toEqual({ value: { a: "[]" }, errors: [] });
  });

  it("names the path of an unset variable and leaves the text as written", () => {
    const tree = { scenarios: [{ id: "s", metadata: { "X-Token": "Bearer ${API_TOKEN}" } }] };
    expect(interpolateEnv(tree, {})).toEqual({
      value: tree,
      errors: [
        "scenarios[0].metadata.X-Token: environment variable API_TOKEN is not set; export it or edit the suite",
      ],
    });
  });

  it("reports every unset variable of a string", () => {
    expect(interpolateEnv({ a: "${A}${B}" }, { B: "b" }).errors).toEqual([
      "a: environment variable A is not set; export it or edit the suite",
    ]);
    expect(interpolateEnv({ a: "${A}${B}" }, {}).errors).toHaveLength(2);
  });

  it("reads $${X} as a literal ${X}", () => {
    expect(interpolateEnv({ price: "costs $${AMOUNT} or ${AMOUNT}" }, { AMOUNT: "5" })).toEqual({
      value: { price: "costs ${AMOUNT} or 5" },
      errors: [],
    });
  });

  it("does not need the variable of a literal", () => {
    expect(interpolateEnv({ a: "$${UNSET}" }, {})).toEqual({ value: { a: "${UNSET}" }, errors: [] });
  });

  it("leaves text that is not a variable reference alone", () => {
    const tree = { a: "$HOME ${} ${1X} $ {X} ${X-Y}" };
    expect(interpolateEnv(tree, { HOME: "/root", X: "x" })).toEqual({ value: tree, errors: [] });
  });

  it("does not interpolate object keys", () => {
    expect(interpolateEnv({ "${K}": "v" }, { K: "k" })).toEqual({ value: { "${K}": "v" }, errors: [] });
  });

  it("does not expand a value that itself looks like a reference", () => {
    expect(interpolateEnv({ a: "${A}" }, { A: "${B}", B: "b" })).toEqual({
      value: { a: "${B}" },
      errors: [],
    });
  });

  it("names the root for a bare string", () => {
    expect(interpolateEnv("${X}", {}).errors).toEqual([
      "(root): environment variable X is not set; export it or edit the suite",
    ]);
  });
});
