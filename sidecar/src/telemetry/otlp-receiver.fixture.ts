/**
 * A local OTLP/HTTP collector for tests: records every export request and decodes the JSON
 * encoding (OTLP/JSON, as `@opentelemetry/exporter-*-otlp-http` send it) with zod.
 */
import { createServer } from "node:http";
import { gunzipSync } from "node:zlib";
import { z } from "zod";

export interface OtlpRequest {
  path: string;
  contentType: string;
  body: Buffer;
}

export interface OtlpReceiver {
  /** Base URL to use as OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  requests: OtlpRequest[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: OtlpRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
      requests.push({ path: req.url ?? "", contentType: req.headers["content-type"] ?? "", body });
      // An empty ExportServiceResponse means "all accepted" in both encodings.
      const json = req.headers["content-type"] === "application/json";
      res.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" });
      res.end(json ? "{}" : "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("OTLP receiver is not on TCP");
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const anyValue = z.object({
  stringValue: z.string().optional(),
  intValue: z.union([z.number(), z.string()]).optional(),
  doubleValue: z.number().optional(),
  boolValue: z.boolean().optional(),
});
const keyValues = z.array(z.object({ key: z.string(), value: anyValue }));
type KeyValues = z.infer<typeof keyValues>;
const nanos = z.union([z.string(), z.number()]).transform((v) => String(v));

const spanSchema = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string(),
  startTimeUnixNano: nanos,
  endTimeUnixNano: nanos,
  attributes: keyValues.default([]),
  status: z.object({ code: z.number().optional(), message: z.string().optional() }).optional(),
});

const traceRequestSchema = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes: keyValues }),
      scopeSpans: z.array(z.object({ spans: z.array(spanSchema) })),
    }),
  ),
});

const numberPoint = z.object({
  attributes: keyValues.default([]),
  asInt: z.union([z.number(), z.string()]).optional(),
  asDouble: z.number().optional(),
});
const histogramPoint = z.object({
  attributes: keyValues.default([]),
  count: z.union([z.number(), z.string()]),
  sum: z.number().optional(),
});
const metricSchema = z.object({
  name: z.string(),
  unit: z.string().optional(),
  sum: z.object({ isMonotonic: z.boolean().optional(), dataPoints: z.array(numberPoint) }).optional(),
  histogram: z.object({ dataPoints: z.array(histogramPoint) }).optional(),
});
const metricsRequestSchema = z.object({
  resourceMetrics: z.array(
    z.object({
      resource: z.object({ attributes: keyValues }),
      scopeMetrics: z.array(z.object({ metrics: z.array(metricSchema) })),
    }),
  ),
});

/** A decoded span with attributes flattened to plain values. */
export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, string | number | boolean>;
  statusCode: number;
  resource: Record<string, string | number | boolean>;
}

export function flatten(kvs: KeyValues): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of kvs) {
    const v = value.stringValue ?? value.doubleValue ?? value.boolValue ?? value.intValue;
    if (v !== undefined) out[key] = typeof v === "string" && value.intValue === v ? Number(v) : v;
  }
  return out;
}

export function decodeJsonSpans(requests: readonly OtlpRequest[]): DecodedSpan[] {
  const spans: DecodedSpan[] = [];
  for (const r of requests.filter((q) => q.path === "/v1/traces")) {
    const decoded = traceRequestSchema.parse(JSON.parse(r.body.toString("utf8")));
    for (const rs of decoded.resourceSpans) {
      for (const ss of rs.scopeSpans) {
        for (const s of ss.spans) {
          spans.push({
            traceId: s.traceId,
            spanId: s.spanId,
            // OTLP/JSON may send an empty string for "no parent".
            parentSpanId: s.parentSpanId === "" ? undefined : s.parentSpanId,
            name: s.name,
            startTimeUnixNano: s.startTimeUnixNano,
            endTimeUnixNano: s.endTimeUnixNano,
            attributes: flatten(s.attributes),
            statusCode: s.status?.code ?? 0,
            resource: flatten(rs.resource.attributes),
          });
        }
      }
    }
  }
  return spans;
}

export type DecodedMetric = z.infer<typeof metricSchema>;

/** The metrics of the LAST metrics export (cumulative temporality: it holds the totals). */
export function decodeLastJsonMetrics(requests: readonly OtlpRequest[]): Map<string, DecodedMetric> {
  const last = requests.filter((q) => q.path === "/v1/metrics").at(-1);
  const out = new Map<string, DecodedMetric>();
  if (last === undefined) return out;
  const decoded = metricsRequestSchema.parse(JSON.parse(last.body.toString("utf8")));
  for (const rm of decoded.resourceMetrics) {
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) out.set(m.name, m);
  }
  return out;
}
