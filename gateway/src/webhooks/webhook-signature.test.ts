import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhook, timingSafeEqual, verifyWebhookSignature } from "./webhook-signature.ts";

const SECRET = "whsec_test";
const BODY = '{"id":"evt_1","type":"run.finished","created_at":"2023-11-14T22:13:20.000Z","data":{"id":7}}';
const NOW_S = 1_700_000_000;
// Computed independently: printf '%s' "1700000000.$BODY" | openssl dgst -sha256 -hmac whsec_test
const BODY_HEX = "4a783924d8b1d5a037ff9bb4207e7eb341c1d1aa1a65ef265ec8904844013122";

describe("signWebhook", () => {
  it("signs '<t>.<raw body>' with HMAC-SHA256 and hex-encodes it", async () => {
    expect(await signWebhook(SECRET, BODY, NOW_S)).toBe(`t=1700000000,v1=${BODY_HEX}`);
  });

  it("signs the UTF-8 bytes of a string body and the same bytes given as a Uint8Array alike", async () => {
    const body = '{"name":"café ☕"}';
    const expected = "t=1700000000,v1=2e0b214130d41e7c234bce08ce102739dbef157984f5df2be0abc2ef49d0fb30";
    expect(await signWebhook(SECRET, body, NOW_S)).toBe(expected);
    expect(await signWebhook(SECRET, new TextEncoder().encode(body), NOW_S)).toBe(expected);
  });

  it("signs an empty body and truncates a fractional timestamp to whole seconds", async () => {
    expect(await signWebhook(SECRET, "", NOW_S + 0.999)).toBe(
      "t=1700000000,v1=5967f3c560522fa40cf2876ebc3c3a08551dd6959aaade3b413460591895bdcc",
    );
  });

  it("agrees with node:crypto's HMAC on another secret and body", async () => {
    const body = JSON.stringify({ id: "evt_x", data: { transcript: ["a", "b"] } });
    const hex = createHmac("sha256", "another secret").update(`1234567890.${body}`).digest("hex");
    expect(await signWebhook("another secret", body, 1_234_567_890)).toBe(`t=1234567890,v1=${hex}`);
  });
});

describe("verifyWebhookSignature", () => {
  const header = `t=1700000000,v1=${BODY_HEX}`;

  it("accepts the header signWebhook produced for the same body", async () => {
    expect(await verifyWebhookSignature(SECRET, header, BODY, NOW_S + 10, 300)).toEqual({
      ok: true,
      timestampS: 1_700_000_000,
    });
  });

  it("refuses a body that differs by one byte", async () => {
    const check = await verifyWebhookSignature(SECRET, header, BODY.replace('"id":7', '"id":8'), NOW_S, 300);
    expect(check).toEqual({ ok: false, reason: "signature_mismatch" });
  });

  it("refuses the right body under another secret", async () => {
    expect(await verifyWebhookSignature("whsec_other", header, BODY, NOW_S, 300)).toEqual({
      ok: false,
      reason: "signature_mismatch",
    });
  });

  it("refuses a timestamp more than the tolerance away in either direction", async () => {
    expect(await verifyWebhookSignature(SECRET, header, BODY, NOW_S + 300, 300)).toMatchObject({ ok: true });
    expect(await verifyWebhookSignature(SECRET, header, BODY, NOW_S + 301, 300)).toEqual({
      ok: false,
      reason: "timestamp_outside_tolerance",
    });
    expect(await verifyWebhookSignature(SECRET, header, BODY, NOW_S - 301, 300)).toEqual({
      ok: false,
      reason: "timestamp_outside_tolerance",
    });
  });

  it("refuses a signature moved to another timestamp (the timestamp is signed)", async () => {
    const moved = `t=1700000100,v1=${BODY_HEX}`;
    expect(await verifyWebhookSignature(SECRET, moved, BODY, NOW_S, 300)).toEqual({
      ok: false,
      reason: "signature_mismatch",
    });
  });

  it("accepts any one matching v1 among several, in any order, and ignores unknown schemes", async () => {
    const rotated = `t=1700000000, v1=${"0".repeat(64)}, v2=zzz, v1=${BODY_HEX.toUpperCase()}`;
    expect(await verifyWebhookSignature(SECRET, rotated, BODY, NOW_S, 300)).toMatchObject({ ok: true });
  });

  it.each([
    [null],
    [""],
    [`v1=${BODY_HEX}`],
    ["t=1700000000"],
    [`t=abc,v1=${BODY_HEX}`],
    [`t=1700000000,t=1700000000,v1=${BODY_HEX}`],
    [`t=1700000000;v1=${BODY_HEX}`],
  ])("refuses the malformed header %j", async (bad) => {
    expect(await verifyWebhookSignature(SECRET, bad, BODY, NOW_S, 300)).toEqual({
      ok: false,
      reason: "malformed_header",
    });
  });

  it("treats a v1 of the wrong length or with non-hex characters as a mismatch", async () => {
    for (const v1 of [BODY_HEX.slice(2), `${BODY_HEX}00`, `${BODY_HEX.slice(2)}zz`]) {
      expect(await verifyWebhookSignature(SECRET, `t=1700000000,v1=${v1}`, BODY, NOW_S, 300)).toEqual({
        ok: false,
        reason: "signature_mismatch",
      });
    }
  });
});

describe("timingSafeEqual", () => {
  it("is true only for equal bytes of equal length", () => {
    expect(timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(timingSafeEqual(Uint8Array.of(9, 2, 3), Uint8Array.of(1, 2, 3))).toBe(false);
    expect(timingSafeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
  });
});
