import { z } from "zod";

/** A file sent as one multipart part next to the JSON payload. */
export const attachmentSchema = z.object({
  part: z.string().regex(/^[a-z0-9_]{1,64}$/),
  path: z.string().min(1),
  contentType: z.string().min(1),
  /** Lowercase hex SHA-256 recorded at enqueue time; a file that no longer matches is not sent. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const attachmentListSchema = z.array(attachmentSchema);
