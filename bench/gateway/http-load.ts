/**
 * HTTP load with autocannon: C keep-alive connections for D seconds against one URL. The load
 * runs in a worker thread, so the clients do not share the event loop of the gateway they
 * measure (the bench starts the gateway in its own process).
 */
import autocannon from "autocannon";

export interface LoadFigures {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses that were not 2xx, plus connection errors and timeouts. */
  errors: number;
  requests: number;
}

export async function httpLoad(o: {
  url: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}): Promise<LoadFigures> {
  const result = await autocannon({
    url: o.url,
    headers: o.headers,
    connections: o.connections,
    duration: o.seconds,
    workers: 1,
  });
  return {
    requestsPerSec: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    requests: result.requests.total,
  };
}

export function formatLoad(l: LoadFigures): string {
  return `${Math.round(l.requestsPerSec)} requests/s  p50 ${l.p50Ms.toFixed(1)} ms  p99 ${l.p99Ms.toFixed(1)} ms  errors ${l.errors}`;
}
