/**
 * `spar serve`'s configuration from the environment (docs: the gateway's variables), validated
 * at start: every bad value is reported at once, each naming the variable and the rule, and
 * the command exits 2. Only the composition root calls this; nothing below reads the env.
 */
import { AppError, urlProblem } from "@spar/protocol";
import { type OutboundPolicy, parseOutboundPolicy } from "../security/address-class.ts";
import { parseSecretKey } from "../security/secret-key.ts";

export interface GatewayConfig {
  /** Enables `/v1/admin/*`; absent, those routes answer 404. */
  adminToken: string | undefined;
  /** 32 bytes; absent, `<data>/secret.key` is used (created on first start). */
  secretKey: Uint8Array | undefined;
  outboundPolicy: OutboundPolicy;
  /** Base of `report_url` links; default: the listening URL. */
  publicUrl: string | undefined;
  sidecars: string[];
  sidecarToken: string | undefined;
  credits: boolean;
  /**
   * Length of the first webhook retry window in ms (the first retry lands within it); absent:
   * the spec's 30 s. Tests shorten it to see a retry without waiting half a minute.
   */
  webhookFirstRetryMs: number | undefined;
}

/** The spec promises the first retry within 30 s; 100 ms keeps a typo from hammering a receiver. */
export const WEBHOOK_FIRST_RETRY_MS_RANGE = { min: 100, max: 30_000 } as const;

export type GatewayConfigParse = { ok: true; config: GatewayConfig } | { ok: false; errors: string[] };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `defaultOutboundPolicy`: `loopback` for `spar serve` on Node, `public` for a deployed Worker
 * (spec/gateway-api.md). This parser is runtime-neutral, so the Worker entry uses it too.
 */
export function parseGatewayEnv(
  env: Env,
  options: { defaultOutboundPolicy?: OutboundPolicy } = {},
): GatewayConfigParse {
  const defaultPolicy = options.defaultOutboundPolicy ?? "loopback";
  const errors: string[] = [];
  const attempt = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (e) {
      errors.push(e instanceof AppError ? e.message : String(e));
      return fallback;
    }
  };
  const value = (name: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === "" ? undefined : v;
  };

  const adminToken = value("SPAR_ADMIN_TOKEN");
  if (adminToken !== undefined && adminToken.length < 16) {
    errors.push("SPAR_ADMIN_TOKEN: must be at least 16 characters (make one with: openssl rand -hex 24)");
  }
  const rawKey = value("SPAR_SECRET_KEY");
  const secretKey = rawKey === undefined ? undefined : attempt(() => parseSecretKey(rawKey), undefined);
  const outboundPolicy = attempt(
    () => parseOutboundPolicy(value("SPAR_OUTBOUND_POLICY"), defaultPolicy),
    defaultPolicy,
  );
  const publicUrl = value("SPAR_PUBLIC_URL");
  const publicProblem = publicUrl === undefined ? undefined : urlProblem(publicUrl, "http");
  if (publicProblem) errors.push(`SPAR_PUBLIC_URL: ${publicProblem}`);
  const sidecars = (value("SPAR_SIDECARS") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const url of sidecars) {
    const problem = urlProblem(url, "http");
    if (problem) errors.push(`SPAR_SIDECARS: ${url}: ${problem}`);
  }
  const sidecarToken = value("SPAR_SIDECAR_TOKEN");
  if (sidecars.length > 0 && sidecarToken === undefined) {
    errors.push(
      "SPAR_SIDECAR_TOKEN: is required when SPAR_SIDECARS is set (the sidecars' shared bearer token)",
    );
  }
  const creditsValue = value("SPAR_CREDITS") ?? "off";
  if (creditsValue !== "on" && creditsValue !== "off") {
    errors.push(`SPAR_CREDITS: must be on or off (got ${JSON.stringify(creditsValue)})`);
  }
  const firstRetryText = value("SPAR_WEBHOOK_FIRST_RETRY_MS");
  const { min, max } = WEBHOOK_FIRST_RETRY_MS_RANGE;
  const webhookFirstRetryMs =
    firstRetryText === undefined || !/^[0-9]{1,6}$/.test(firstRetryText) ? undefined : Number(firstRetryText);
  if (
    firstRetryText !== undefined &&
    (webhookFirstRetryMs === undefined || webhookFirstRetryMs < min || webhookFirstRetryMs > max)
  ) {
    errors.push(
      `SPAR_WEBHOOK_FIRST_RETRY_MS: must be a whole number of milliseconds from ${min} to ${max} (got ${JSON.stringify(firstRetryText)})`,
    );
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      adminToken,
      secretKey,
      outboundPolicy,
      publicUrl,
      sidecars,
      sidecarToken,
      credits: creditsValue === "on",
      webhookFirstRetryMs,
    },
  };
}
