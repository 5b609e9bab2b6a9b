import { describe, expect, it } from "vitest";
import { brainFor, decodeCallerConfig } from "./caller-config.ts";

describe("voice caller configuration", () => {
  it("decodes a script with voice knobs and plays it through the shared scripted brain", async () => {
    const config = decodeCallerConfig({
      script: [{ say: "hi" }, { say: "stop", interrupt_after_ms: 500 }, { dtmf: "12#" }],
      endpointing_ms: 800,
    });
    expect(config.endpointing_ms).toBe(800);
    const brain = brainFor(config, { scenarioId: "s", agentId: "a" });
    const view = { transcript: [], repliesSinceLastCaller: [] };
    const signal = new AbortController().signal;
    expect(await brain.next(view, signal)).toEqual({ kind: "say", text: "hi" });
    expect(await brain.next(view, signal)).toEqual({ kind: "say", text: "stop", interruptAfterMs: 500 });
    expect(await brain.next(view, signal)).toEqual({ kind: "say", text: '<dtmf digits="12#"/>' });
    expect(await brain.next(view, signal)).toEqual({ kind: "end" });
  });

  it("names the bad field and the rule", () => {
    expect(() => decodeCallerConfig({ script: [{ say: "hi" }], endpointing_ms: 5 })).toThrow(
      "invalid caller configuration: caller.endpointing_ms:",
    );
    expect(() => decodeCallerConfig({ persona: "grumpy" })).toThrow(
      "caller.llm: a persona caller needs llm (base_url, model)",
    );
    expect(() => decodeCallerConfig({})).toThrow(
      "needs a `script`, or a `persona`/`goal` for the LLM caller",
    );
    expect(() => decodeCallerConfig({ script: [{ say: "hi" }], surprise: 1 })).toThrow(
      "invalid caller configuration",
    );
  });
});
