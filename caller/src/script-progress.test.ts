import type { ScriptStep, TranscriptEntry } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { scriptLeftUnplayed } from "./script-progress.ts";

const user = (content: string): TranscriptEntry => ({ role: "user", content, at_ms: 0 });
const agent = (content: string): TranscriptEntry => ({ role: "agent", content, at_ms: 0 });

const billing: ScriptStep[] = [
  { say: "I need help" },
  { expect: "/help/", say: "my bill" },
  { expect: "/confirm/", dtmf: "1#" },
  { wait_for_end: true },
];

describe("scriptLeftUnplayed", () => {
  it("names the first unchecked expect when the agent hangs up after the first line", () => {
    expect(scriptLeftUnplayed(billing, [user("I need help"), agent("Bye")])).toBe(
      "the agent ended the call at step 2 of 4; `expect /help/` was never checked",
    );
  });

  it("is satisfied when only wait_for_end is left", () => {
    const transcript = [user("I need help"), agent("help?"), user("my bill"), agent("confirm?"), user("1#")];
    expect(scriptLeftUnplayed(billing, transcript)).toBeNull();
  });

  it("names a say that was never played", () => {
    const script: ScriptStep[] = [{ say: "Hi" }, { say: "Yes, go ahead" }, { end: true }];
    expect(scriptLeftUnplayed(script, [user("Hi"), agent("Bye")])).toBe(
      'the agent ended the call at step 2 of 3; `say "Yes, go ahead"` was never played',
    );
  });

  it("names dtmf that was never sent", () => {
    const script: ScriptStep[] = [{ say: "Hi" }, { wait_ms: 100 }, { dtmf: "12#" }];
    expect(scriptLeftUnplayed(script, [user("Hi")])).toBe(
      'the agent ended the call at step 3 of 3; `dtmf "12#"` was never sent',
    );
  });

  it("checks trailing expects against the agent's final words", () => {
    const script: ScriptStep[] = [
      { say: "Bye" },
      { expect: "/goodbye/i" },
      { wait_ms: 10 },
      { expect: "thanks" },
    ];
    expect(
      scriptLeftUnplayed(script, [user("Bye"), agent("Thanks for calling."), agent("Goodbye!")]),
    ).toBeNull();
  });

  it("fails a trailing expect the final words do not match, quoting them", () => {
    const script: ScriptStep[] = [{ say: "Bye" }, { expect: "/goodbye/i" }];
    expect(scriptLeftUnplayed(script, [user("Bye"), agent("Error 500")])).toBe(
      'expectation failed: expected /goodbye/i, agent said "Error 500"',
    );
  });

  it("counts a line the caller never delivered as unplayed even if an expect before it held", () => {
    // The agent asked for the account number and hung up while the caller was answering.
    const script: ScriptStep[] = [{ say: "Hi" }, { expect: "account", say: "12345" }];
    expect(scriptLeftUnplayed(script, [user("Hi"), agent("Your account number?")])).toBe(
      'the agent ended the call at step 2 of 2; `expect "account"` was never checked',
    );
  });

  it("is satisfied by an empty remainder and by a script the agent spoke first in", () => {
    expect(
      scriptLeftUnplayed([{ expect: "welcome" }, { say: "Hi" }], [agent("Welcome"), user("Hi")]),
    ).toBeNull();
    expect(scriptLeftUnplayed([{ say: "Hi" }], [user("Hi")])).toBeNull();
  });

  it("names the first line when the agent hung up before the caller said anything", () => {
    expect(scriptLeftUnplayed([{ say: "Hi" }], [])).toBe(
      'the agent ended the call at step 1 of 1; `say "Hi"` was never played',
    );
  });
});
