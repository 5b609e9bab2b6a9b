/**
 * Voice settings the schema accepts but `spar run` cannot use are config errors (exit 2) found
 * before any call, not failed runs.
 */
import { describe, expect, it } from "vitest";
import { spar, tempDir, writeSuite } from "./cli-harness.ts";

const suite = (livekit: string) => `version: 1
agent:
  id: voice-bot
  voice:
    livekit: ${livekit}
defaults: { channel: voice }
scenarios:
  - id: hello
    script:
      - say: "Hello?"
`;

describe("spar run with voice settings it does not support", () => {
  it("exits 2 naming the mode and the fix", async () => {
    const path = await writeSuite(
      await tempDir(),
      "rubric.yaml",
      suite("{ mode: rubric, url: wss://lk.example, api_key: k, api_secret: s }"),
    );
    const r = await spar(["run", path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `spar: ${path}: agent.voice.livekit.mode "rubric" is not supported by spar run yet; use mode: manual (docs/suite-file.md)\n`,
    );
    expect(r.stdout).toBe("");
  });

  it("runs nothing when a manual suite has neither a token nor a key and secret", async () => {
    const path = await writeSuite(
      await tempDir(),
      "no-token.yaml",
      suite("{ mode: manual, url: wss://lk.example }"),
    );
    const r = await spar(["run", path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("agent.voice.livekit needs `token`");
  });
});
