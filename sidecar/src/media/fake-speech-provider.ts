import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { decodeWav } from "./audio/wav.ts";

/**
 * Test support: a loopback server speaking the real wire formats of the speech providers —
 * OpenAI-compatible `/v1/audio/speech` (JSON in, headerless 24 kHz PCM out) and
 * `/v1/audio/transcriptions` (multipart in, verbose_json with words out), and Deepgram
 * `/v1/listen` (WAV in, results.channels[].alternatives[].words out). Answers are computed from
 * the request (duration of the uploaded audio, words of the input text), not canned per test.
 */
export interface FakeSpeechProvider {
  baseUrl: string;
  apiKey: string;
  /** Transcript the fake "hears"; its words are spread evenly over the uploaded audio. */
  heard: string;
  requests: { path: string; fields: Record<string, string>; sampleRate?: number }[];
  close(): Promise<void>;
}

const SpeechRequestSchema = z.object({
  model: z.string(),
  voice: z.string(),
  input: z.string().min(1),
  response_format: z.literal("pcm"),
});

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

function spreadWords(text: string, durationS: number) {
  const words = text.split(/\s+/).filter(Boolean);
  const slot = durationS / Math.max(1, words.length);
  return words.map((word, i) => ({ word, start: i * slot, end: (i + 0.8) * slot }));
}

export async function startFakeSpeechProvider(apiKey = "test-key"): Promise<FakeSpeechProvider> {
  const state: FakeSpeechProvider = {
    baseUrl: "",
    apiKey,
    heard: "hello there",
    requests: [],
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = (req.url ?? "").split("?")[0] ?? "";
      const auth = req.headers.authorization ?? "";
      const send = (status: number, contentType: string, payload: string | Uint8Array) => {
        res.writeHead(status, { "content-type": contentType });
        res.end(payload);
      };
      if (path === "/v1/audio/speech") {
        if (auth !== `Bearer ${apiKey}`)
          return send(401, "application/json", '{"error":{"message":"bad key"}}');
        const parsed = SpeechRequestSchema.safeParse(JSON.parse(body.toString("utf8")));
        if (!parsed.success)
          return send(400, "application/json", JSON.stringify({ error: parsed.error.message }));
        state.requests.push({
          path,
          fields: { model: parsed.data.model, voice: parsed.data.voice, input: parsed.data.input },
        });
        // 150 ms of a 300 Hz tone per input word, 24 kHz s16le.
        const samples = parsed.data.input.split(/\s+/).length * 3_600;
        const pcm = Buffer.alloc(samples * 2);
        for (let i = 0; i < samples; i++)
          pcm.writeInt16LE(Math.round(8_000 * Math.sin((2 * Math.PI * 300 * i) / 24_000)), i * 2);
        return send(200, "application/octet-stream", pcm);
      }
      if (path === "/v1/audio/transcriptions") {
        if (auth !== `Bearer ${apiKey}`)
          return send(401, "application/json", '{"error":{"message":"bad key"}}');
        const form = await new Response(body, {
          headers: { "content-type": req.headers["content-type"] ?? "" },
        }).formData();
        const file = form.get("file");
        if (!(file instanceof Blob)) return send(400, "application/json", '{"error":"file missing"}');
        const wav = decodeWav(new Uint8Array(await file.arrayBuffer()));
        const fields: Record<string, string> = {};
        for (const [k, v] of form.entries()) if (typeof v === "string") fields[k] = v;
        state.requests.push({ path, fields, sampleRate: wav.sampleRate });
        const duration = wav.samples.length / wav.channels / wav.sampleRate;
        const wantsWords =
          fields.response_format === "verbose_json" && fields["timestamp_granularities[]"] === "word";
        return send(
          200,
          "application/json",
          JSON.stringify({
            task: "transcribe",
            language: "english",
            duration,
            text: state.heard,
            ...(wantsWords ? { words: spreadWords(state.heard, duration) } : {}),
          }),
        );
      }
      if (path === "/v1/listen") {
        if (auth !== `Token ${apiKey}`) return send(401, "application/json", '{"err_code":"INVALID_AUTH"}');
        if (req.headers["content-type"] !== "audio/wav")
          return send(415, "application/json", '{"err_code":"BAD_TYPE"}');
        const wav = decodeWav(new Uint8Array(body));
        const query = new URL(req.url ?? "", "http://x").searchParams;
        state.requests.push({ path, fields: Object.fromEntries(query), sampleRate: wav.sampleRate });
        const duration = wav.samples.length / wav.channels / wav.sampleRate;
        const words = spreadWords(state.heard, duration).map((w) => ({
          ...w,
          confidence: 0.9,
          punctuated_word: w.word,
        }));
        return send(
          200,
          "application/json",
          JSON.stringify({
            metadata: { duration, channels: 1 },
            results: { channels: [{ alternatives: [{ transcript: state.heard, confidence: 0.9, words }] }] },
          }),
        );
      }
      send(404, "application/json", '{"error":"not found"}');
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}
