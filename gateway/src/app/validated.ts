/** A value checked against a zod schema after the body was read (a PATCH merged into its object). */
import { AppError, issueLines } from "@spar/protocol";
import type { z } from "zod";

export function validated<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError("bad_request", issueLines(parsed.error.issues, 20).join("; "));
  return parsed.data;
}
