import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** Lowercase hex SHA-256 of a file, streamed so a long recording never sits in memory. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest("hex");
}
