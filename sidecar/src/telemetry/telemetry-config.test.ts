import { describe, expect, it } from "vitest";
import { noopTelemetry } from "./noop-telemetry.ts";
import { telemetryConfigFromEnv } from "./telemetry-config.ts";
import { telemetryFromEnv } from "./telemetry-from-env.ts";

describe("telemetryConfigFromEnv", () => {
  it("turns telemetry off when no endpoint is set or the SDK is disabled", () => {
    expect(telemetryConfigFromEnv({})).toBeNull();
    expect(telemetryConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "" })).toBeNull();
    expect(
      telemetryConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_SDK_DISABLED: "true" }),
    ).toBeNull();
    expect(telemetryFromEnv({ PATH: "/usr/bin" })).toBe(noopTelemetry);
  });

  it("derives per-signal URLs from the base endpoint and lets specific ones win", () => {
    const config = telemetryConfigFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector.example:4318/",
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "https://metrics.example/ingest",
      OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20abc, x-tenant = t1",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-tenant=t2",
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "http/json",
      OTEL_METRIC_EXPORT_INTERVAL: "5000",
    });
    expect(config).toEqual({
      serviceName: "spar-sidecar",
      tracesUrl: "https://collector.example:4318/v1/traces",
      metricsUrl: "https://metrics.example/ingest",
      tracesProtocol: "http/protobuf",
      metricsProtocol: "http/json",
      tracesHeaders: { authorization: "Bearer abc", "x-tenant": "t2" },
      metricsHeaders: { authorization: "Bearer abc", "x-tenant": "t1" },
      metricExportIntervalMs: 5000,
      includePersonalData: false,
    });
  });

  it("exports only traces when only the traces endpoint is set", () => {
    expect(
      telemetryConfigFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c/v1/traces" }),
    ).toMatchObject({
      tracesUrl: "http://c/v1/traces",
      metricsUrl: null,
    });
  });

  it("names the variable and the rule for an unusable value", () => {
    expect(() =>
      telemetryConfigFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4317",
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      }),
    ).toThrow(
      "OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (grpc is not supported by the sidecar)",
    );
    expect(() => telemetryConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(
      "OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL",
    );
    expect(() =>
      telemetryConfigFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c",
        OTEL_EXPORTER_OTLP_HEADERS: "secret-token",
      }),
    ).toThrow(
      /^telemetry configuration: OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs separated by commas$/,
    );
  });
});
