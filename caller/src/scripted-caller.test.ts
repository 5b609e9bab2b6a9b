import type { TranscriptEntry } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { type ConversationView, repliesSinceLastCaller } from "./brain.ts";
import { createScriptedCaller } from "./scripted-caller.ts";

const signal = new AbortController().signal;
const view = (...replies: string[]): ConversationView => ({
  transcript: [],
  repliesSinceLastCaller: replies,
});

describe("scripted caller", () => {
  it("plays say, dtmf, wait_ms, end in order", async () => {
    const brain = createScriptedCaller([{ say: "Hi" }, { dtmf: "12#" }, { wait_ms: 250 }, { end: true }]);
    expect(await brain.next(view(), signal)).toEqual({ kind: "say", text: "Hi" });
    expect(await brain.next(view("hello"), signal)).toEqual({ kind: "say", text: '<dtmf digits="12#"/>' });
    expect(await brain.next(view("ok"), signal)).toEqual({ kind: "wait", ms: 250 });
    expect(await brain.next(view(), signal)).toEqual({ kind: "end" });
  });

  it("ends the call when the script runs out", async () => {
    const brain = createScriptedCaller([{ say: "Hi" }]);
    await brain.next(view(), signal);
    expect(await brain.next(view("bye"), signal)).toEqual({ kind: "end" });
    expect(await brain.next(view(), signal)).toEqual({ kind: "end" });
  });

  it("passes an expectation against the joined replies, then does the step's action", async () => {
    const brain = createScriptedCaller([{ say: "Hi" }, { expect: "/account\\s+number/i", say: "12345" }]);
    await brain.next(view(), signal);
    expect(await brain.next(view("Welcome.", "What is your ACCOUNT number?"), signal)).toEqual({
      kind: "say",
      text: "12345",
    });
  });

  it("matches plain-text expectations as case-insensitive substrings", async () => {
    const brain = createScriptedCaller([{ expect: "Account Number", say: "1" }]);
    expect(await brain.next(view("your account number please"), signal)).toEqual({ kind: "say", text: "1" });
  });

  it("ends with what was expected and what the agent said when an expectation fails", async () => {
    const brain = createScriptedCaller([{ say: "Hi" }, { expect: "/confirm/i", say: "Yes" }]);
    await brain.next(view(), signal);
    expect(await brain.next(view("Sorry, I cannot help.", "Goodbye"), signal)).toEqual({
      kind: "end",
      failure: 'expectation failed: expected /confirm/i, agent said "Sorry, I cannot help.\\nGoodbye"',
    });
  });

  it("reports that the agent said nothing when there were no replies", async () => {
    const brain = createScriptedCaller([{ expect: "hello" }]);
    expect(await brain.next(view(), signal)).toEqual({
      kind: "end",
      failure: 'expectation failed: expected "hello", agent said nothing',
    });
  });

  it("falls through an expect-only step to the next action in the same turn", async () => {
    const brain = createScriptedCaller([{ expect: "menu" }, { say: "two" }, { wait_for_end: true }]);
    expect(await brain.next(view("main menu"), signal)).toEqual({ kind: "say", text: "two" });
    expect(await brain.next(view("ok"), signal)).toEqual({ kind: "wait_for_end" });
  });

  it("exposes interrupt_after_ms on the say move", async () => {
    const brain = createScriptedCaller([{ say: "Stop", interrupt_after_ms: 400 }]);
    expect(await brain.next(view(), signal)).toEqual({ kind: "say", text: "Stop", interruptAfterMs: 400 });
  });

  it("continues after a wait with the following step", async () => {
    const brain = createScriptedCaller([{ wait_ms: 10 }, { expect: "ready", say: "go" }]);
    expect(await brain.next(view(), signal)).toEqual({ kind: "wait", ms: 10 });
    expect(await brain.next(view("ready"), signal)).toEqual({ kind: "say", text: "go" });
  });
});

describe("repliesSinceLastCaller", () => {
  it("collects agent turns after the last caller message, skipping function calls", () => {
    const t: TranscriptEntry[] = [
      { role: "agent", content: "greeting", at_ms: 0 },
      { role: "user", content: "hi", at_ms: 1 },
      { role: "agent", content: "one", at_ms: 2 },
      { role: "function_call", content: "", at_ms: 3, data: { name: "f" } },
      { role: "agent", content: "two", at_ms: 4 },
    ];
    expect(repliesSinceLastCaller(t)).toEqual(["one", "two"]);
    expect(repliesSinceLastCaller(t.slice(0, 1))).toEqual(["greeting"]);
    expect(repliesSinceLastCaller(t.slice(0, 2))).toEqual([]);
  });
});
