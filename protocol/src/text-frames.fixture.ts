/** Helpers for the text-frame tests: a frame the decoder must accept or reject, and frames of exact sizes. */
import { type AgentFrameDecode, decodeAgentFrame } from "./text-frames.ts";

export const accepted = (raw: string | Uint8Array) => {
  const r = decodeAgentFrame(raw);
  if (!r.ok) throw new Error(`expected ${String(raw)} to be accepted, got: ${r.error}`);
  return r.event;
};

export const rejected = (raw: string | Uint8Array): string => {
  const r: AgentFrameDecode = decodeAgentFrame(raw);
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.event)}`);
  return r.error;
};

/** A `{"content":"aaa…"}` frame of exactly `bytes` bytes. */
export const contentFrameOf = (bytes: number): string => {
  const envelope = '{"content":""}'.length;
  return `{"content":"${"a".repeat(bytes - envelope)}"}`;
};
