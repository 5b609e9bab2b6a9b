import { metrics, trace } from "@opentelemetry/api";
import { OTLPMetricExporter as JsonMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { NodeSDK, metrics as sdkMetrics, tracing } from "@opentelemetry/sdk-node";
import { noopTelemetry } from "./noop-telemetry.ts";
import { OtelTelemetry } from "./otel-telemetry.ts";
import type { Telemetry } from "./telemetry.ts";
import { type TelemetryConfig, telemetryConfigFromEnv } from "./telemetry-config.ts";

const SCOPE = "@spar/sidecar";

/** The composition root's entry: a no-op facade unless an OTLP endpoint is configured. */
export function telemetryFromEnv(env: Readonly<Record<string, string | undefined>>): Telemetry {
  const config = telemetryConfigFromEnv(env);
  return config === null ? noopTelemetry : startOtelTelemetry(config);
}

/**
 * Starts the OpenTelemetry Node SDK with OTLP/HTTP exporters and returns the facade over it.
 * Every component is passed explicitly so the SDK builds nothing of its own from the
 * environment (no log exporter, no instrumentations, no surprise second trace exporter).
 */
export function startOtelTelemetry(config: TelemetryConfig): Telemetry {
  const spanProcessors: tracing.SpanProcessor[] = [];
  if (config.tracesUrl !== null) {
    const options = { url: config.tracesUrl, headers: config.tracesHeaders };
    const exporter =
      config.tracesProtocol === "http/json"
        ? new JsonTraceExporter(options)
        : new ProtoTraceExporter(options);
    spanProcessors.push(new tracing.BatchSpanProcessor(exporter));
  }
  const metricReaders: sdkMetrics.MetricReader[] = [];
  if (config.metricsUrl !== null) {
    const options = { url: config.metricsUrl, headers: config.metricsHeaders };
    const exporter =
      config.metricsProtocol === "http/json"
        ? new JsonMetricExporter(options)
        : new ProtoMetricExporter(options);
    metricReaders.push(
      new sdkMetrics.PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: config.metricExportIntervalMs,
        exportTimeoutMillis: Math.min(30_000, config.metricExportIntervalMs),
      }),
    );
  }
  const sdk = new NodeSDK({
    serviceName: config.serviceName,
    spanProcessors,
    metricReaders,
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  return new OtelTelemetry({
    // NodeSDK registers its providers globally; the facade is the only user of them.
    tracer: trace.getTracer(SCOPE),
    meter: metrics.getMeter(SCOPE),
    now: () => Date.now(),
    includePersonalData: config.includePersonalData,
    flush: async () => {
      await Promise.all([
        ...spanProcessors.map((p) => p.forceFlush()),
        ...metricReaders.map((r) => r.forceFlush()),
      ]);
    },
    shutdown: async () => {
      await sdk.shutdown();
      // Unregister the globals so a later SDK in the same process (tests) can register its own.
      trace.disable();
      metrics.disable();
    },
  });
}
