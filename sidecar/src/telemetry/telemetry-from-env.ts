import { OTLPMetricExporter as JsonMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, type MetricReader, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, type SpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { noopTelemetry } from "./noop-telemetry.ts";
import { OtelTelemetry } from "./otel-telemetry.ts";
import type { Telemetry } from "./telemetry.ts";
import { type TelemetryConfig, telemetryConfigFromEnv } from "./telemetry-config.ts";

const SCOPE = "@spar/sidecar";
/** The semantic-conventions key, spelled out rather than importing that 10 MB package for one string. */
const ATTR_SERVICE_NAME = "service.name";

/** The composition root's entry: a no-op facade unless an OTLP endpoint is configured. */
export function telemetryFromEnv(env: Readonly<Record<string, string | undefined>>): Telemetry {
  const config = telemetryConfigFromEnv(env);
  return config === null ? noopTelemetry : startOtelTelemetry(config);
}

/**
 * Builds just the OpenTelemetry pieces the sidecar uses — a tracer provider with a batching
 * OTLP/HTTP span exporter and a meter provider with a periodic OTLP/HTTP metric reader — and
 * returns the facade over them. Nothing is registered globally and nothing is read from the
 * environment here (telemetry-config.ts decoded it): no log exporter, no instrumentations, no
 * context manager (spans name their parent explicitly).
 */
export function startOtelTelemetry(config: TelemetryConfig): Telemetry {
  const resource = defaultResource().merge(
    resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
  );
  const spanProcessors: SpanProcessor[] = [];
  if (config.tracesUrl !== null) {
    const options = { url: config.tracesUrl, headers: config.tracesHeaders };
    const exporter =
      config.tracesProtocol === "http/json"
        ? new JsonTraceExporter(options)
        : new ProtoTraceExporter(options);
    spanProcessors.push(new BatchSpanProcessor({ exporter }));
  }
  const metricReaders: MetricReader[] = [];
  if (config.metricsUrl !== null) {
    const options = { url: config.metricsUrl, headers: config.metricsHeaders };
    const exporter =
      config.metricsProtocol === "http/json"
        ? new JsonMetricExporter(options)
        : new ProtoMetricExporter(options);
    metricReaders.push(
      new PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: config.metricExportIntervalMs,
        exportTimeoutMillis: Math.min(30_000, config.metricExportIntervalMs),
      }),
    );
  }
  const tracerProvider = new TracerProvider({ resource, spanProcessors });
  const meterProvider = new MeterProvider({ resource, readers: metricReaders });
  return new OtelTelemetry({
    tracer: tracerProvider.getTracer(SCOPE),
    meter: meterProvider.getMeter(SCOPE),
    now: () => Date.now(),
    includePersonalData: config.includePersonalData,
    flush: async () => {
      await Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush()]);
    },
    shutdown: async () => {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  });
}
