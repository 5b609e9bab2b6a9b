/**
 * A real HTTP server on 127.0.0.1 standing in for a user's bot runner, session or token
 * endpoint: it records each request (headers and JSON body) and answers with `answer`.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface LoopbackEndpoint {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type Answer = (request: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export const json =
  (body: unknown, status = 200): Answer =>
  (_req, res) => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };

export async function startLoopbackEndpoint(answer: Answer): Promise<LoopbackEndpoint> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const request = {
        path: req.url ?? "",
        headers: req.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
      };
      requests.push(request);
      void Promise.resolve(answer(request, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
