// Test support for the suite tests: a minimal valid suite and the errors a rejected one gets.
import { parseSuite } from "./suite.ts";

export const textAgent = { id: "bot", text: { url: "ws://127.0.0.1:8080/ws", secret: "s" } };
export const voiceAgent = { livekit: { mode: "manual", url: "ws://127.0.0.1:7880", token: "t" } };
export const llm = { base_url: "https://api.openai.com/v1", model: "gpt-4o-mini" };

/** A minimal valid suite with `scenarios` (and any root fields) replaced. */
export const suiteWith = (over: Record<string, unknown>) => ({
  version: 1,
  agent: textAgent,
  scenarios: [{ id: "s", script: [{ say: "hi" }] }],
  ...over,
});

export const errorsOf = (tree: unknown): string[] => {
  const r = parseSuite(tree);
  if (r.ok) throw new Error("expected the suite to be rejected");
  return r.errors;
};
