/**
 * Frames of the X-RUBRIC text protocol (docs/text-protocol.md). We are exact in what we send
 * (`CallerFrame`) and liberal in what we accept from agents: every accepted shape is decoded
 * into one normalized `AgentEvent`, and anything else is a `protocol_error` quoting the frame.
 */
import { z } from "zod";
import { MAX_AGENT_FRAME_BYTES } from "./limits.ts";
import { quoteFrame } from "./quote.ts";

// ---- platform → agent -------------------------------------------------------------------

export const callerMessageFrameSchema = z.strictObject({
  type: z.literal("message"),
  /** The caller's words; may carry inline `<dtmf digits="…"/>` tags. */
  content: z.string(),
});
export const callerEndCallFrameSchema = z.strictObject({ type: z.literal("end_call") });
export const callerFrameSchema = z.discriminatedUnion("type", [
  callerMessageFrameSchema,
  callerEndCallFrameSchema,
]);
export type CallerFrame = z.infer<typeof callerFrameSchema>;

/**
 * The exact wire text of a caller frame. Built field by field: TypeScript lets a wider object
 * through (or one with `content` first), and whatever it carries must never reach the agent.
 */
export function encodeCallerFrame(frame: CallerFrame): string {
  return frame.type === "message"
    ? JSON.stringify({ type: "message", content: frame.content })
    : JSON.stringify({ type: "end_call" });
}

/** Decodes a platform→agent frame (used by agents, the reference agent and tests). */
export function decodeCallerFrame(
  raw: string,
): { ok: true; frame: CallerFrame } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: `not JSON: ${quoteFrame(raw)}` };
  }
  const r = callerFrameSchema.safeParse(json);
  return r.success
    ? { ok: true, frame: r.data }
    : { ok: false, error: `not a caller frame: ${quoteFrame(raw)}` };
}

// ---- agent → platform -------------------------------------------------------------------

const metadataSchema = z.record(z.string(), z.unknown());
const idSchema = z.string().max(256);

/** Any frame with `type` absent or `message`: a reply, a reply that ends the call, or metadata. */
const messageShape = z.looseObject({
  type: z.literal("message").optional(),
  content: z.string().optional(),
  metadata: metadataSchema.optional(),
  end_call: z.boolean().optional(),
});
const metadataShape = z.looseObject({ type: z.literal("metadata"), metadata: metadataSchema });
const functionCallShape = z.looseObject({
  type: z.literal("function_call"),
  name: z.string().min(1).max(256),
  arguments: z.unknown().optional(),
  id: idSchema.optional(),
  call_id: idSchema.optional(),
});
const functionResultShape = z.looseObject({
  type: z.literal("function_call_result"),
  name: z.string().max(256).optional(),
  result: z.unknown().optional(),
  output: z.unknown().optional(),
  id: idSchema.optional(),
  call_id: idSchema.optional(),
});
const endCallShape = z.looseObject({
  type: z.literal("end_call"),
  content: z.string().optional(),
  metadata: metadataSchema.optional(),
});

/** One agent frame, normalized. Only `reply` is a turn. */
export type AgentEvent =
  | { kind: "reply"; content: string; metadata?: Record<string, unknown>; endCall: boolean }
  | { kind: "metadata"; metadata: Record<string, unknown> }
  | { kind: "function_call"; id?: string; name: string; arguments: unknown }
  | { kind: "function_call_result"; id?: string; name?: string; result: unknown }
  | { kind: "end_call"; content?: string; metadata?: Record<string, unknown> };

export type AgentFrameDecode = { ok: true; event: AgentEvent } | { ok: false; error: string };

function fail(rule: string, raw: string | Uint8Array): AgentFrameDecode {
  return { ok: false, error: `${rule}; frame: ${quoteFrame(raw)}` };
}

/** `arguments` may be an object or a JSON string; a string that is not JSON is kept as text. */
function normalizeArguments(value: unknown): unknown {
  if (typeof value !== "string") return value ?? {};
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Decodes one agent→platform frame, or says which rule it broke (with the frame quoted). */
export function decodeAgentFrame(raw: string | Uint8Array): AgentFrameDecode {
  const size = typeof raw === "string" ? new TextEncoder().encode(raw).byteLength : raw.byteLength;
  if (size > MAX_AGENT_FRAME_BYTES) {
    return fail(`frame of ${size} bytes is over the ${MAX_AGENT_FRAME_BYTES}-byte limit`, raw);
  }
  const text = typeof raw === "string" ? raw : new TextDecoder().decode(raw);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail("frame is not JSON", raw);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return fail("frame is not a JSON object", raw);
  }
  const type = (json as { type?: unknown }).type;
  if (type !== undefined && typeof type !== "string") return fail("`type` is not a string", raw);
  switch (type) {
    case undefined:
    case "message": {
      const r = messageShape.safeParse(json);
      if (!r.success) return fail(describe(r.error), raw);
      const { content, metadata, end_call } = r.data;
      if (content === undefined) {
        if (metadata !== undefined && !end_call) return { ok: true, event: { kind: "metadata", metadata } };
        if (end_call) return { ok: true, event: withMeta({ kind: "end_call" }, metadata) };
        return fail("frame has neither `content` nor `metadata`", raw);
      }
      return { ok: true, event: withMeta({ kind: "reply", content, endCall: end_call === true }, metadata) };
    }
    case "metadata": {
      const r = metadataShape.safeParse(json);
      return r.success
        ? { ok: true, event: { kind: "metadata", metadata: r.data.metadata } }
        : fail(describe(r.error), raw);
    }
    case "function_call": {
      const r = functionCallShape.safeParse(json);
      if (!r.success) return fail(describe(r.error), raw);
      const id = r.data.id ?? r.data.call_id;
      const event: AgentEvent = {
        kind: "function_call",
        name: r.data.name,
        arguments: normalizeArguments(r.data.arguments),
      };
      if (id !== undefined) event.id = id;
      return { ok: true, event };
    }
    case "function_call_result": {
      const r = functionResultShape.safeParse(json);
      if (!r.success) return fail(describe(r.error), raw);
      const id = r.data.id ?? r.data.call_id;
      const event: AgentEvent = {
        kind: "function_call_result",
        result: r.data.result ?? r.data.output ?? null,
      };
      if (id !== undefined) event.id = id;
      if (r.data.name !== undefined) event.name = r.data.name;
      return { ok: true, event };
    }
    case "end_call": {
      const r = endCallShape.safeParse(json);
      if (!r.success) return fail(describe(r.error), raw);
      const event: AgentEvent = { kind: "end_call" };
      if (r.data.content !== undefined) event.content = r.data.content;
      return { ok: true, event: withMeta(event, r.data.metadata) };
    }
    default:
      return fail(`unknown frame type "${type.slice(0, 64)}"`, raw);
  }
}

function withMeta<E extends AgentEvent>(event: E, metadata: Record<string, unknown> | undefined): E {
  if (metadata !== undefined && (event.kind === "reply" || event.kind === "end_call")) {
    return { ...event, metadata };
  }
  return event;
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid frame";
  const field = issue.path.map(String).join(".");
  return field ? `\`${field}\`: ${issue.message}` : issue.message;
}
