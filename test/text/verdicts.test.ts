/**
 * The verdict rules that keep a crashed or hung-up agent from passing, through the real path
 * against the reference agent's real socket: every close-code class, unplayed script steps,
 * final-word expectations, and metadata assertions that only the agent can satisfy.
 */
import { describe, expect, it } from "vitest";
import { contents, useReferenceAgent } from "./reference-run.ts";

const run = useReferenceAgent();
const threeLines = {
  script: [{ say: "one" }, { expect: "/said: one/", say: "two" }, { expect: "/said: two/", say: "three" }],
};

describe("close codes decide whether the agent hung up or crashed", () => {
  it("fails connection_lost when the agent answers once and closes with 1011", async () => {
    const r = await run(
      { script: [{ say: "one" }, { say: "two" }, { wait_for_end: true }] },
      { path: "/echo", behavior: "close_after:1,close_code:1011" },
    );
    expect(r).toMatchObject({
      status: "failed",
      ended_reason: "connection_lost",
      ended_by: "platform",
      passed: false,
      error: 'the agent closed the connection with an error code (1011 internal error "close_after")',
    });
    expect(contents(r)).toEqual(["user:one", "agent:You said: one", "user:two"]);
  });

  for (const code of [1002, 1003, 1007, 1012, 1013, 3000]) {
    it(`fails connection_lost on close code ${code}`, async () => {
      const r = await run(
        { script: [{ say: "one" }] },
        { path: "/echo", behavior: `close_after:0,close_code:${code}` },
      );
      expect(r).toMatchObject({ status: "failed", ended_reason: "connection_lost", passed: false });
      expect(r.error).toContain(`(${code}`);
    });
  }

  for (const code of [1000, 1001, 1005, 4000, 4999]) {
    it(`reads close code ${code} after the script's last line as the agent hanging up`, async () => {
      const r = await run(
        { script: [{ say: "one" }, { say: "two" }] },
        { path: "/echo", behavior: `close_after:1,close_code:${code}` },
      );
      expect(r).toMatchObject({
        status: "completed",
        ended_reason: "agent_ended",
        passed: true,
        error: null,
      });
    });
  }
});

describe("a scripted run passes only if its script was played to the end", () => {
  it("fails when the agent hangs up before an expect was checked, naming the step", async () => {
    const r = await run(threeLines, { path: "/echo", behavior: "close_after:1" });
    expect(r).toMatchObject({
      status: "completed",
      ended_reason: "agent_ended",
      passed: false,
      error: "the agent ended the call at step 3 of 3; `expect /said: two/` was never checked",
    });
  });

  it("fails when the agent ends the call with end_call before the last line, naming it", async () => {
    const r = await run(
      { script: [{ say: "one" }, { say: "two" }, { say: "three" }] },
      { path: "/echo", behavior: "end_after:1" },
    );
    expect(r).toMatchObject({
      status: "completed",
      ended_reason: "agent_ended",
      passed: false,
      error: 'the agent ended the call at step 3 of 3; `say "three"` was never played',
    });
    expect(contents(r).at(-1)).toBe("agent:I have to go now. Goodbye!");
  });

  it("checks a trailing expect against the agent's final words and passes when they match", async () => {
    const r = await run(
      { script: [{ say: "one" }, { say: "two" }, { expect: "/goodbye/i" }, { wait_for_end: true }] },
      { path: "/echo", behavior: "end_after:1" },
    );
    expect(r).toMatchObject({ ended_reason: "agent_ended", passed: true, error: null });
  });

  it("fails a trailing expect the final words do not match", async () => {
    const r = await run(
      { script: [{ say: "one" }, { say: "two" }, { expect: "/see you/i" }] },
      { path: "/echo", behavior: "end_after:1" },
    );
    expect(r).toMatchObject({
      ended_reason: "agent_ended",
      passed: false,
      error: 'expectation failed: expected /see you/i, agent said "I have to go now. Goodbye!"',
    });
  });
});

describe("scenario metadata", () => {
  it("is recorded with the run, X-* and plain keys alike", async () => {
    const r = await run(
      { metadata: { "X-Trace": "t-1", customer_tier: "gold" }, script: [{ say: "hi" }] },
      { path: "/echo" },
    );
    expect(r.metadata).toMatchObject({ "X-Trace": "t-1", customer_tier: "gold" });
  });

  it("never satisfies a metadata assertion: only what the agent sent does", async () => {
    const r = await run(
      {
        metadata: { payment_status: "paid" },
        script: [{ say: "hi" }],
        assertions: [{ metadata: { payment_status: "paid" } }],
      },
      { path: "/echo" },
    );
    expect(r.passed).toBe(false);
    expect(r.assertions[0]).toMatchObject({ kind: "metadata", passed: false });
  });
});
