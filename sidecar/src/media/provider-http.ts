/** Largest provider response we read: a minute of 24 kHz PCM is 2.9 MB; transcripts are far smaller. */
export const MAX_PROVIDER_RESPONSE_BYTES = 32 * 1024 * 1024;

export interface ProviderEndpoint {
  /** e.g. "https://api.openai.com/v1" (OpenAI-compatible) or "https://api.deepgram.com" (Deepgram). */
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
  /** Injected so tests and proxies can supply their own; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * POSTs to a speech provider and returns the body bytes, turning HTTP failures into errors that
 * carry the status and the start of the body (never the API key).
 */
export async function postToProvider(
  provider: string,
  endpoint: ProviderEndpoint,
  path: string,
  init: { headers: Record<string, string>; body: string | Uint8Array | FormData },
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const url = `${endpoint.baseUrl.replace(/\/+$/, "")}${path}`;
  const timeout = AbortSignal.timeout(endpoint.timeoutMs ?? 30_000);
  const response = await (endpoint.fetch ?? fetch)(url, {
    method: "POST",
    headers: init.headers,
    body: init.body,
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_PROVIDER_RESPONSE_BYTES)
    throw new Error(`${provider}: response of ${declared} bytes is over the limit`);
  const body = new Uint8Array(await response.arrayBuffer());
  if (body.length > MAX_PROVIDER_RESPONSE_BYTES)
    throw new Error(`${provider}: response over ${MAX_PROVIDER_RESPONSE_BYTES} bytes`);
  if (!response.ok) {
    const text = new TextDecoder().decode(body.subarray(0, 500));
    throw new Error(`${provider}: HTTP ${response.status} from ${url}: ${text}`);
  }
  return body;
}

export function parseJsonBody(provider: string, body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch (cause) {
    throw new Error(`${provider}: response is not JSON`, { cause });
  }
}
