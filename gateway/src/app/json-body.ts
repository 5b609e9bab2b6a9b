/**
 * Reads a request's JSON body against a zod schema: a body that is not JSON, or does not fit,
 * is a 400 naming every field path and rule (`text.url: must be ws:// or wss://`).
 */
import { AppError, issueLines } from "@spar/protocol";
import type { Context } from "hono";
import type { z } from "zod";

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new AppError("bad_request", "the body must be a JSON object (Content-Type: application/json)");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AppError("bad_request", issueLines(parsed.error.issues, 20).join("; "));
  return parsed.data;
}
