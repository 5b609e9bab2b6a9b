import { describe, expect, it } from "vitest";
import { findSecrets } from "./find-secrets.ts";

const SECRET = "hunter2-secret";
const b64 = (text: string) => btoa(text);

describe("findSecrets", () => {
  it("finds a secret written raw", () => {
    expect(findSecrets(`{"text":{"secret":"${SECRET}"}}`, [SECRET])).toEqual([SECRET]);
  });

  it("finds nothing in text that does not carry the secret", () => {
    expect(findSecrets(`{"text":{"secret_configured":true}} hunter2 ${b64("hunter")}`, [SECRET])).toEqual([]);
  });

  it("finds JSON-escaped and URL-encoded forms", () => {
    const quoted = 'p"a\\ss word/é';
    expect(findSecrets(JSON.stringify({ s: quoted }), [quoted])).toEqual([quoted]);
    expect(findSecrets(`GET /cb?token=${encodeURIComponent(quoted)}`, [quoted])).toEqual([quoted]);
    expect(findSecrets("token=p%22a%5css+word%2f%c3%a9", [quoted])).toEqual([quoted]);
    // Python's json.dumps escapes non-ASCII and may escape "/" too.
    expect(findSecrets('{"s": "p\\u0022a\\\\ss word\\/\\u00e9"}', [quoted])).toEqual([quoted]);
  });

  it("finds base64 of the secret alone and inside longer values at every alignment", () => {
    expect(findSecrets(`Authorization: Basic ${b64(SECRET)}`, [SECRET])).toEqual([SECRET]);
    for (const prefix of ["", "a", "ab", "abc", '{"token":"']) {
      const encoded = b64(`${prefix}${SECRET}"}`);
      expect(findSecrets(`data: ${encoded}`, [SECRET])).toEqual([SECRET]);
    }
  });

  it("finds URL-safe base64", () => {
    const secret = "??>>??>>??>>";
    const standard = b64(secret);
    expect(standard).toContain("/");
    const urlSafe = standard.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    expect(findSecrets(`jwt.${urlSafe}.sig`, [secret])).toEqual([secret]);
  });

  it("lists each secret found once, in the order given, and ignores empty secrets", () => {
    const text = `a=${SECRET} b=lk_api_secret c=${SECRET}`;
    expect(findSecrets(text, ["lk_api_secret", "", "absent-one", SECRET, SECRET])).toEqual([
      "lk_api_secret",
      SECRET,
    ]);
  });
});
