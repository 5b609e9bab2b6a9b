import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { VoiceRunEventBody } from "@spar/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { NewRunEvent } from "../db/repositories/run-events.ts";
import { type FollowedVoiceJob, followVoiceEvents } from "./voice-event-follower.ts";

/**
 * A sidecar's `GET /v1/jobs/:id/events` on loopback, in its wire format (SSE, `id:` = seq):
 * each request is answered by the next entry of `answers` — events to send after the request's
 * `Last-Event-ID` (then the stream closes), or a status with no stream.
 */
type Answer = { events: VoiceRunEventBody[] } | { status: number };

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

async function sidecarAnswering(answers: Answer[]) {
  const requests: { path: string; lastEventId: string | undefined; token: string | undefined }[] = [];
  const all = answers.flatMap((a) => ("events" in a ? a.events : []));
  const listening = createServer((req, res) => {
    const lastEventId = req.headers["last-event-id"];
    requests.push({
      path: req.url ?? "",
      lastEventId: typeof lastEventId === "string" ? lastEventId : undefined,
      token: req.headers.authorization,
    });
    const answer = answers.shift() ?? { status: 404 };
    if ("status" in answer) {
      res.writeHead(answer.status).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    for (const body of answer.events) {
      const seq = all.indexOf(body) + 1;
      if (seq <= Number(lastEventId ?? 0)) continue;
      const event = { run_id: "7", seq, at: "2026-12-05T01:00:00.000Z", ...body };
      res.write(`id: ${seq}\nevent: ${body.type}\ndata: ${JSON.stringify(event)}\n\n`);
    }
    res.end();
  });
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  return { url, requests };
}

const turn = (turn_index: number, content: string, start_ms: number): VoiceRunEventBody => ({
  type: "turn",
  turn_index,
  role: turn_index % 2 === 1 ? "user" : "agent",
  content,
  start_ms,
  end_ms: start_ms + 500,
});
const finished: VoiceRunEventBody = {
  type: "job_finished",
  status: "completed",
  ended_reason: "agent_ended",
};

function follow(url: string, job: Partial<FollowedVoiceJob> = {}, afterSeq = 0, nowMs = () => 1_000) {
  const stored: NewRunEvent[] = [];
  const ended = followVoiceEvents(
    {
      fetch: globalThis.fetch,
      sidecar: { url, token: "sidecar-token" },
      now: nowMs,
      store: (event) => {
        stored.push(event);
      },
      signal: new AbortController().signal,
      retryMs: 5,
      log: () => {},
    },
    { workspaceId: 3, runId: 7, sidecarUrl: url, deadlineAtMs: 60_000, ...job },
    afterSeq,
  );
  return { ended, stored };
}

describe("following a voice job's live events", () => {
  it("stores each turn with the sidecar's seq and resumes after the last event seen when the stream breaks off", async () => {
    const sidecar = await sidecarAnswering([
      { events: [{ type: "stage_started", stage: "conversation" }, turn(1, "hello", 1_000)] },
      { events: [turn(2, "hi, how many?", 2_000), finished] },
    ]);
    const { ended, stored } = follow(sidecar.url);
    expect(await ended).toBe("finished");
    expect(sidecar.requests).toEqual([
      { path: "/v1/jobs/7/events", lastEventId: undefined, token: "Bearer sidecar-token" },
      { path: "/v1/jobs/7/events", lastEventId: "2", token: "Bearer sidecar-token" },
    ]);
    expect(stored).toEqual([
      {
        workspaceId: 3,
        runId: 7,
        type: "transcript",
        data: { role: "user", content: "hello", at_ms: 1_000, start_ms: 1_000, end_ms: 1_500 },
        nowMs: 1_000,
        sourceSeq: 2,
      },
      {
        workspaceId: 3,
        runId: 7,
        type: "transcript",
        data: { role: "agent", content: "hi, how many?", at_ms: 2_000, start_ms: 2_000, end_ms: 2_500 },
        nowMs: 1_000,
        sourceSeq: 3,
      },
    ]);
  });

  it("starts after the seq it is given, as a follower woken again does", async () => {
    const sidecar = await sidecarAnswering([
      { events: [turn(1, "hello", 1_000), turn(2, "hi", 2_000), finished] },
    ]);
    const { ended, stored } = follow(sidecar.url, {}, 1);
    expect(await ended).toBe("finished");
    expect(sidecar.requests.map((r) => r.lastEventId)).toEqual(["1"]);
    expect(stored.map((e) => e.sourceSeq)).toEqual([2]);
  });

  it("stops when the sidecar does not know the job, and when the deadline has passed", async () => {
    const unknown = await sidecarAnswering([{ status: 404 }]);
    expect(await follow(unknown.url).ended).toBe("unknown_job");
    server?.close();
    // A sidecar whose stream keeps closing without the job finishing: read until the deadline.
    const open = await sidecarAnswering([{ events: [] }, { events: [] }, { events: [] }]);
    let nowMs = 0;
    const { ended } = follow(open.url, { deadlineAtMs: 3 }, 0, () => nowMs++);
    expect(await ended).toBe("deadline");
    expect(open.requests).toHaveLength(3);
  });
});
