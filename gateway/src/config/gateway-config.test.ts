import { describe, expect, it } from "vitest";
import { parseGatewayEnv } from "./gateway-config.ts";

describe("parseGatewayEnv", () => {
  it("takes the defaults of spar serve from an empty environment", () => {
    expect(parseGatewayEnv({})).toEqual({
      ok: true,
      config: {
        adminToken: undefined,
        secretKey: undefined,
        outboundPolicy: "loopback",
        publicUrl: undefined,
        sidecars: [],
        sidecarToken: undefined,
        credits: false,
        webhookFirstRetryMs: undefined,
      },
    });
  });

  it("reads every variable", () => {
    const r = parseGatewayEnv({
      SPAR_ADMIN_TOKEN: "a".repeat(24),
      SPAR_SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
      SPAR_OUTBOUND_POLICY: "public",
      SPAR_PUBLIC_URL: "https://spar.example.com",
      SPAR_SIDECARS: "http://10.0.0.5:8790, http://10.0.0.6:8790",
      SPAR_SIDECAR_TOKEN: "t",
      SPAR_CREDITS: "on",
      SPAR_WEBHOOK_FIRST_RETRY_MS: "250",
    });
    expect(r.ok && r.config).toMatchObject({
      outboundPolicy: "public",
      webhookFirstRetryMs: 250,
      sidecars: ["http://10.0.0.5:8790", "http://10.0.0.6:8790"],
      credits: true,
    });
    expect(r.ok && r.config.secretKey?.length).toBe(32);
  });

  it("names every bad variable and its rule at once, without echoing secrets", () => {
    const r = parseGatewayEnv({
      SPAR_ADMIN_TOKEN: "short",
      SPAR_SECRET_KEY: "c2VjcmV0",
      SPAR_OUTBOUND_POLICY: "open",
      SPAR_PUBLIC_URL: "ftp://x",
      SPAR_SIDECARS: "http://h:99999",
      SPAR_CREDITS: "yes",
      SPAR_WEBHOOK_FIRST_RETRY_MS: "60000",
    });
    expect(r).toEqual({
      ok: false,
      errors: [
        "SPAR_ADMIN_TOKEN: must be at least 16 characters (make one with: openssl rand -hex 24)",
        "SPAR_SECRET_KEY: must be base64 of exactly 32 bytes (got 6 bytes); make one with: openssl rand -base64 32",
        'SPAR_OUTBOUND_POLICY: must be one of public, loopback, any (got "open")',
        "SPAR_PUBLIC_URL: must be a http:// or https:// URL, not ftp://",
        "SPAR_SIDECARS: http://h:99999: port 99999 is out of range; use 1-65535",
        "SPAR_SIDECAR_TOKEN: is required when SPAR_SIDECARS is set (the sidecars' shared bearer token)",
        'SPAR_CREDITS: must be on or off (got "yes")',
        'SPAR_WEBHOOK_FIRST_RETRY_MS: must be a whole number of milliseconds from 100 to 30000 (got "60000")',
      ],
    });
  });

  it.each(["99", "30001", "1.5", "-5", "1e3", "fast"])("refuses SPAR_WEBHOOK_FIRST_RETRY_MS=%s", (v) => {
    const r = parseGatewayEnv({ SPAR_WEBHOOK_FIRST_RETRY_MS: v });
    expect(r).toEqual({
      ok: false,
      errors: [
        `SPAR_WEBHOOK_FIRST_RETRY_MS: must be a whole number of milliseconds from 100 to 30000 (got ${JSON.stringify(v)})`,
      ],
    });
  });
});
