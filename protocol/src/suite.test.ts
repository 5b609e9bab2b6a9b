// biome-ignore-all lint/suspicious/noTemplateCurlyInString: suite files write ${VAR} literally; that is what is tested
import { describe, expect, it } from "vitest";
import { errorsOf, llm, suiteWith, voiceAgent } from "./suite.fixture.ts";
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
