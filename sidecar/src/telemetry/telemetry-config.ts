import { z } from "zod";

/**
 * The standard OTEL_* variables the sidecar honours (plus one Spar switch), decoded once by the
 * composition root. Only OTLP over HTTP is offered: grpc would pull in a second transport for
 * no gain over http/protobuf, which every collector accepts.
 */
export interface TelemetryConfig {
  serviceName: string;
  /** Full URLs (`.../v1/traces`, `.../v1/metrics`); null = that signal is not exported. */
  tracesUrl: string | null;
  metricsUrl: string | null;
  tracesProtocol: OtlpProtocol;
  metricsProtocol: OtlpProtocol;
  tracesHeaders: Record<string, string>;
  metricsHeaders: Record<string, string>;
  metricExportIntervalMs: number;
  includePersonalData: boolean;
}

export type OtlpProtocol = "http/protobuf" | "http/json";

const protocol = z.enum(["http/protobuf", "http/json"], {
  error: "must be http/protobuf or http/json (grpc is not supported by the sidecar)",
});
const url = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
const bool = z.enum(["true", "false"], { error: "must be true or false" });

const envSchema = z.object({
  OTEL_SDK_DISABLED: bool.optional(),
  OTEL_SERVICE_NAME: z.string().max(256).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url.optional(),
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: url.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol.optional(),
  OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: protocol.optional(),
  OTEL_EXPORTER_OTLP_HEADERS: z.string().max(8192).optional(),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: z.string().max(8192).optional(),
  OTEL_EXPORTER_OTLP_METRICS_HEADERS: z.string().max(8192).optional(),
  OTEL_METRIC_EXPORT_INTERVAL: z.coerce.number().int().min(100).max(3_600_000).optional(),
  /** Opt-in to exporting what participants said (personal data) as span attributes. */
  SPAR_OTEL_INCLUDE_TRANSCRIPTS: bool.optional(),
});

/**
 * Null when telemetry is off: no endpoint set, or OTEL_SDK_DISABLED=true. Throws an Error
 * naming the variable and the rule when a value is unusable.
 */
export function telemetryConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): TelemetryConfig | null {
  // Deployment tooling often sets a variable to "" to mean "unset".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`telemetry configuration: ${issue?.path.join(".")} ${issue?.message}`);
  }
  const e = parsed.data;
  if (e.OTEL_SDK_DISABLED === "true") return null;
  const base = e.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, "");
  const tracesUrl = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base === undefined ? null : `${base}/v1/traces`);
  const metricsUrl =
    e.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ?? (base === undefined ? null : `${base}/v1/metrics`);
  if (tracesUrl === null && metricsUrl === null) return null;
  const commonHeaders = parseOtlpHeaders(e.OTEL_EXPORTER_OTLP_HEADERS, "OTEL_EXPORTER_OTLP_HEADERS");
  return {
    serviceName: e.OTEL_SERVICE_NAME ?? "spar-sidecar",
    tracesUrl,
    metricsUrl,
    tracesProtocol: e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf",
    metricsProtocol:
      e.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf",
    tracesHeaders: {
      ...commonHeaders,
      ...parseOtlpHeaders(e.OTEL_EXPORTER_OTLP_TRACES_HEADERS, "OTEL_EXPORTER_OTLP_TRACES_HEADERS"),
    },
    metricsHeaders: {
      ...commonHeaders,
      ...parseOtlpHeaders(e.OTEL_EXPORTER_OTLP_METRICS_HEADERS, "OTEL_EXPORTER_OTLP_METRICS_HEADERS"),
    },
    metricExportIntervalMs: e.OTEL_METRIC_EXPORT_INTERVAL ?? 60_000,
    includePersonalData: e.SPAR_OTEL_INCLUDE_TRANSCRIPTS === "true",
  };
}

/** `key1=value1,key2=value2`, values URL-encoded (OTel spec, "Specifying headers"). */
function parseOtlpHeaders(value: string | undefined, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined) return out;
  for (const pair of value.split(",")) {
    if (pair.trim() === "") continue;
    const eq = pair.indexOf("=");
    // The value may be a credential: name the variable, never echo the pair.
    if (eq <= 0)
      throw new Error(`telemetry configuration: ${name} must be key=value pairs separated by commas`);
    out[pair.slice(0, eq).trim()] = decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return out;
}
