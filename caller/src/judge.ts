/**
 * The LLM judge: asks the model whether a criterion holds for the conversation and requires a
 * structured verdict, `{"verdict": "pass"|"fail", "reasoning": "…"}` via `response_format:
 * json_object` (the most widely supported structured mode across OpenAI-compatible servers).
 */
import { AppError, type LlmConfig, quoteFrame, type TranscriptEntry } from "@spar/protocol";
import { z } from "zod";
import { type ChatClientOptions, createChatClient } from "./openai-client.ts";
import type { RunOutcome } from "./run-outcome.ts";

const verdictSchema = z.object({
  verdict: z
    .string()
    .transform((v) => v.trim().toLowerCase())
    .pipe(z.enum(["pass", "fail"])),
  reasoning: z.string(),
});
export type JudgeVerdict = z.infer<typeof verdictSchema>;

export interface JudgeOptions {
  llm: LlmConfig;
  criterion: string;
  outcome: RunOutcome;
  signal: AbortSignal;
  fetch?: typeof fetch;
  client?: Omit<ChatClientOptions, "llm" | "fetch">;
}

const SYSTEM = [
  "You are a strict QA judge for phone conversations between a CALLER (a simulated customer) and an AGENT (the AI system under test).",
  "Decide whether the CRITERION holds for the AGENT's behaviour in the transcript. Judge only from the transcript; if it is unclear, fail.",
  'Answer with a single JSON object and nothing else: {"verdict": "pass" or "fail", "reasoning": "one to three sentences citing the transcript"}.',
].join("\n");

/** Whole-transcript bound, so a runaway conversation cannot blow the model's context. */
const MAX_TRANSCRIPT_CHARS = 100_000;
const MAX_ENTRY_CHARS = 4_000;

export async function judgeTranscript(opts: JudgeOptions): Promise<JudgeVerdict> {
  const client = createChatClient({
    ...opts.client,
    llm: opts.llm,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const user = [
    `CRITERION: ${opts.criterion}`,
    "",
    `The call ended by the ${opts.outcome.endedBy} (${opts.outcome.endedReason}).`,
    "TRANSCRIPT:",
    renderTranscript(opts.outcome.transcript),
  ].join("\n");
  const result = await client.complete(
    {
      messages: [
        { role: "system", content: SYSTEM },
        { role: "user", content: user },
      ],
      response_format: { type: "json_object" },
    },
    opts.signal,
  );
  return decodeVerdict(result.content ?? "");
}

export function decodeVerdict(content: string): JudgeVerdict {
  // Some servers wrap JSON in a markdown fence even in JSON mode.
  const body = content
    .trim()
    .replace(/^```(?:json)?\s*/i, "")
    .replace(/\s*```$/, "");
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new AppError("upstream_failed", `the judge did not answer with JSON: ${quoteFrame(content)}`);
  }
  const r = verdictSchema.safeParse(json);
  if (!r.success) {
    throw new AppError(
      "upstream_failed",
      `the judge's answer lacks {"verdict": "pass"|"fail", "reasoning": string}: ${quoteFrame(content)}`,
    );
  }
  return r.data;
}

/** The transcript as the judge reads it: who said what, with the agent's function calls. */
export function renderTranscript(transcript: readonly TranscriptEntry[]): string {
  const lines = transcript.map((e) => {
    const text = e.content.length > MAX_ENTRY_CHARS ? `${e.content.slice(0, MAX_ENTRY_CHARS)}…` : e.content;
    if (e.role === "user") return `CALLER: ${text}`;
    if (e.role === "agent") return `AGENT: ${text}`;
    if (e.role === "function_call") {
      return `AGENT CALLED FUNCTION ${e.data?.name ?? "(unnamed)"}(${JSON.stringify(e.data?.arguments ?? {})})`;
    }
    return `FUNCTION RESULT ${e.data?.name ?? ""}: ${JSON.stringify(e.data?.result ?? text)}`;
  });
  if (lines.length === 0) return "(empty: nothing was said)";
  const all = lines.join("\n");
  return all.length > MAX_TRANSCRIPT_CHARS
    ? `${all.slice(0, MAX_TRANSCRIPT_CHARS)}\n[transcript truncated]`
    : all;
}
