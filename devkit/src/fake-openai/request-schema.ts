/**
 * What the fake accepts: the chat-completions request body as OpenAI documents it, strict at the
 * top level (OpenAI rejects unknown arguments), so a client that drifts from the real wire
 * format fails here instead of in production.
 */
import { z } from "zod";

const textPart = z.strictObject({ type: z.literal("text"), text: z.string() });
const textContent = z.union([z.string(), z.array(textPart).min(1)]);

const toolCall = z.strictObject({
  id: z.string().min(1),
  type: z.literal("function"),
  function: z.strictObject({ name: z.string().min(1), arguments: z.string() }),
});

const messageSchema = z.discriminatedUnion("role", [
  z.strictObject({ role: z.literal("system"), content: textContent, name: z.string().optional() }),
  z.strictObject({ role: z.literal("developer"), content: textContent, name: z.string().optional() }),
  z.strictObject({ role: z.literal("user"), content: textContent, name: z.string().optional() }),
  z
    .strictObject({
      role: z.literal("assistant"),
      content: textContent.nullable().optional(),
      name: z.string().optional(),
      refusal: z.string().nullable().optional(),
      tool_calls: z.array(toolCall).min(1).optional(),
    })
    .refine((m) => (m.content !== undefined && m.content !== null) || m.tool_calls !== undefined, {
      message: "an assistant message needs content or tool_calls",
    }),
  z.strictObject({ role: z.literal("tool"), content: textContent, tool_call_id: z.string().min(1) }),
]);
export type FakeChatMessage = z.infer<typeof messageSchema>;

const toolSchema = z.strictObject({
  type: z.literal("function"),
  function: z.strictObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "tool names are 1-64 of a-z, A-Z, 0-9, _ and -"),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

export const chatRequestSchema = z.strictObject({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  tools: z.array(toolSchema).max(128).optional(),
  tool_choice: z
    .union([
      z.enum(["none", "auto", "required"]),
      z.strictObject({ type: z.literal("function"), function: z.strictObject({ name: z.string() }) }),
    ])
    .optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: z
    .discriminatedUnion("type", [
      z.strictObject({ type: z.literal("text") }),
      z.strictObject({ type: z.literal("json_object") }),
      z.strictObject({
        type: z.literal("json_schema"),
        json_schema: z.strictObject({
          name: z.string(),
          description: z.string().optional(),
          schema: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullable().optional(),
        }),
      }),
    ])
    .optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  n: z.literal(1).nullable().optional(),
  stream: z.literal(false).nullable().optional(),
  stop: z
    .union([z.string(), z.array(z.string()).max(4)])
    .nullable()
    .optional(),
  seed: z.number().int().nullable().optional(),
  user: z.string().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
});
export type FakeChatRequest = z.infer<typeof chatRequestSchema>;

/** OpenAI refuses JSON mode unless the messages mention JSON; so does the fake. */
export function mentionsJson(req: FakeChatRequest): boolean {
  return req.messages.some((m) => {
    const c = m.content;
    if (typeof c === "string") return /json/i.test(c);
    if (Array.isArray(c)) return c.some((p) => /json/i.test(p.text));
    return false;
  });
}
