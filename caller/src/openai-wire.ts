/**
 * The slice of the OpenAI chat-completions wire format Spar speaks, as zod schemas. Requests are
 * built from these types; responses are decoded liberally (extra fields ignored) but never cast.
 */
import { z } from "zod";

export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string };

export interface ChatTool {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ChatTool[];
  tool_choice?: "auto" | "none" | "required";
  response_format?: { type: "json_object" } | { type: "text" };
  temperature?: number;
}

const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal("function").optional(),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

export const chatCompletionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z.array(toolCallSchema).nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1, "no choices"),
});

/** An error body in OpenAI's shape, for a better message than the raw text. */
export const openAiErrorSchema = z.object({ error: z.object({ message: z.string() }) });

export interface ChatToolCall {
  id: string;
  name: string;
  /** The JSON string exactly as the model sent it; decode it with a schema. */
  arguments: string;
}

export interface ChatResult {
  content: string | null;
  toolCalls: ChatToolCall[];
  finishReason: string | null;
}
