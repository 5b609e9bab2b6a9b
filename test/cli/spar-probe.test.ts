import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spar } from "./cli-harness.ts";

const SECRET = "probe-secret";
let agent: ReferenceTextAgent;
beforeAll(async () => {
  agent = await startReferenceTextAgent({ port: 0, secret: SECRET });
});
afterAll(async () => {
  await agent.close();
});

describe("spar probe", () => {
  it("prints every frame with its timing and exits 0 for a well-behaved agent", async () => {
    const r = await spar([
      "probe",
      `${agent.url}/billing`,
      "--secret",
      SECRET,
      "--say",
      "I want to pay my bill",
      "--say",
      '<dtmf digits="55#"/>',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\+\s+[\d.]+ ms {2}→ \{"type":"message","content":"I want to pay my bill"\}/);
    expect(r.stdout).toMatch(/← \{"type":"function_call".*ok \(function_call\)/);
    expect(r.stdout).toMatch(/← .*I found account 55\..*ok \(reply\)/);
    expect(r.stdout).toContain("ok: 2 replies");
  });

  it("exits 1 naming the broken rule for a garbage frame", async () => {
    const r = await spar(["probe", `${agent.url}/echo?behavior=garbage`, "--secret", SECRET]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("VIOLATION: frame is not JSON");
    expect(r.stdout).toContain("FAIL protocol_error");
    expect(r.stdout).toContain("rule: every agent frame must be one of the accepted shapes");
  });

  it("prints the URL it probes without credentials or query", async () => {
    const r = await spar([
      "probe",
      `${agent.url.replace("ws://", "ws://me:pw@")}/echo?behavior=garbage&k=1`,
      "--secret",
      SECRET,
    ]);
    expect(r.stdout.split("\n")[0]).toMatch(
      new RegExp(`^probing ${agent.url}/echo \\(run run_[0-9a-f]+\\)$`),
    );
    expect(r.stdout).not.toContain("pw@");
  });

  it("exits 1 when the secret is rejected", async () => {
    const r = await spar(["probe", agent.url, "--secret", "wrong"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'FAIL connection_failed: agent rejected the connection (1008 policy violation "invalid secret")',
    );
  });

  it("exits 1 on a timeout", async () => {
    const r = await spar([
      "probe",
      `${agent.url}/echo?behavior=silent`,
      "--secret",
      SECRET,
      "--timeout-s",
      "0.5",
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL agent_timeout: the agent did not reply within 0.5 s");
  });

  it("exits 1 when the agent closes without ever replying", async () => {
    const r = await spar(["probe", `${agent.url}/echo?behavior=close_after:0`, "--secret", SECRET]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("closed 1000");
    expect(r.stdout).toContain(
      "FAIL no_reply: the agent ended the call without replying to the first message",
    );
    expect(r.stdout).toContain("rule: the agent must reply to each caller message");
  });

  it("exits 1 when the agent hangs up before every probe line was sent", async () => {
    const url = `${agent.url}/echo?behavior=close_after:1`;
    const r = await spar([
      "probe",
      url,
      "--secret",
      SECRET,
      "--say",
      "one",
      "--say",
      "two",
      "--say",
      "three",
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'FAIL no_reply: the agent ended the call at step 3 of 3; `say "three"` was never played',
    );
  });

  it("exits 1 when the agent closes with an error code", async () => {
    const url = `${agent.url}/echo?behavior=${encodeURIComponent("close_after:1,close_code:1011")}`;
    const r = await spar(["probe", url, "--secret", SECRET, "--say", "one", "--say", "two"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'FAIL connection_lost: the agent closed the connection with an error code (1011 internal error "close_after")',
    );
  });

  it("exits 2 on usage errors", async () => {
    expect((await spar(["probe", agent.url])).stderr).toContain("--secret is required");
    expect((await spar(["probe", "http://x", "--secret", "s"])).code).toBe(2);
    const header = await spar(["probe", agent.url, "--secret", "s", "--header", "X-RUBRIC-SECRET=x"]);
    expect(header).toMatchObject({ code: 2 });
    expect(header.stderr).toContain("cannot be overridden");
  });
});
