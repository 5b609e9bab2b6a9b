import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadOrCreateSecretKeyFile } from "./secret-key-file.ts";

const KEY_0_31 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const countingFill = (bytes: Uint8Array) => bytes.set(Uint8Array.from({ length: bytes.length }, (_, i) => i));

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "spar-secret-key-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("loadOrCreateSecretKeyFile", () => {
  it("creates <data>/secret.key with mode 0600 once, then reads it back", async () => {
    const data = join(root, "gateway");
    const first = await loadOrCreateSecretKeyFile(data, { randomFill: countingFill });
    const path = join(data, "secret.key");
    expect(first).toEqual({ key: KEY_0_31, path, created: true });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, "utf8")).toBe(`${KEY_0_31}\n`);
    expect(await loadOrCreateSecretKeyFile(data)).toEqual({ key: KEY_0_31, path, created: false });
    expect(await readdir(data)).toEqual(["secret.key"]);
  });

  it("creates exactly one key when several starts race", async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => loadOrCreateSecretKeyFile(root)));
    expect(results.filter((r) => r.created).length).toBe(1);
    expect(new Set(results.map((r) => r.key)).size).toBe(1);
    expect(await readdir(root)).toEqual(["secret.key"]);
  });

  it("refuses a file that is not a key, naming the file and the rule", async () => {
    const path = join(root, "secret.key");
    await writeFile(path, "short\n", { mode: 0o600 });
    await expect(loadOrCreateSecretKeyFile(root)).rejects.toThrow(
      `${path}: must be base64 of exactly 32 bytes (got text that is not base64); make one with: openssl rand -base64 32`,
    );
    expect(await readFile(path, "utf8")).toBe("short\n");
  });

  it("refuses a key file others can read", async () => {
    const path = join(root, "secret.key");
    await writeFile(path, `${KEY_0_31}\n`);
    await chmod(path, 0o644);
    await expect(loadOrCreateSecretKeyFile(root)).rejects.toThrow(
      `${path}: readable by others (mode 0644); run chmod 600 ${path}`,
    );
  });
});
