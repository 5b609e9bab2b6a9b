/**
 * Node: the secret-at-rest key when `SPAR_SECRET_KEY` is absent — `<data>/secret.key`, created
 * once with mode 0600 and read on every later start. Losing this file loses every stored
 * secret, so it is never overwritten: creation is atomic and exclusive (write a temporary file,
 * then hard-link it into place, which fails if another process got there first).
 */
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "@spar/protocol";
import type { RandomFill } from "../../security/random-token.ts";
import { generateSecretKey, parseSecretKey } from "../../security/secret-key.ts";

export const SECRET_KEY_FILE = "secret.key";

export interface SecretKeyFile {
  /** Base64 of 32 bytes. */
  key: string;
  path: string;
  /** True when this call generated the key. */
  created: boolean;
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

async function readKeyFile(path: string): Promise<string> {
  if (process.platform !== "win32") {
    const mode = (await stat(path)).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new AppError(
        "config_invalid",
        `${path}: readable by others (mode 0${mode.toString(8)}); run chmod 600 ${path}`,
      );
    }
  }
  const text = await readFile(path, "utf8");
  parseSecretKey(text, path);
  return text.trim();
}

export async function loadOrCreateSecretKeyFile(
  dataDir: string,
  options: { randomFill?: RandomFill } = {},
): Promise<SecretKeyFile> {
  const path = join(dataDir, SECRET_KEY_FILE);
  try {
    return { key: await readKeyFile(path), path, created: false };
  } catch (error) {
    if (!isErrno(error, "ENOENT")) throw error;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = generateSecretKey(options.randomFill);
  // Unique per call: concurrent starts in one process must not share a temporary file.
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  await writeFile(temporary, `${key}\n`, { mode: 0o600, flag: "wx" });
  try {
    await chmod(temporary, 0o600); // a umask can narrow 0600 (to 0400, say); make it exact
    await link(temporary, path);
  } catch (error) {
    if (!isErrno(error, "EEXIST")) throw error;
    return { key: await readKeyFile(path), path, created: false };
  } finally {
    await unlink(temporary);
  }
  return { key, path, created: true };
}
