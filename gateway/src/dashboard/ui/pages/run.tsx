/**
 * One run: its transcript — live while it runs, read from the SSE stream with the key — with
 * function calls and metadata inline, its assertions, its metrics with their error bars, and for
 * a voice run the recording with its turn timeline.
 */
import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { authHeaders, decode, getJson } from "../api.ts";
import { Badge, ErrorNote, formatMs, formatTime, Loading, Passed, Section } from "../components.tsx";
import { BASE } from "../router.ts";
import {
  type AnyTranscriptEntry,
  anyTranscriptEntrySchema,
  type RunView,
  runStatusEventSchema,
  runViewSchema,
  VoiceMetricsSchema,
} from "../schemas.ts";
import { readEventStream } from "../sse-reader.ts";
import { RunMetrics } from "./run-metrics.tsx";
import { VoiceRecording } from "./voice-recording.tsx";

const isFinished = (run: RunView) => run.ended_at !== null;

/** The run, and while it runs its events: transcript entries appended as they come, then the ended run. */
function useLiveRun(id: number): { run: RunView | null; live: boolean; error: Error | null } {
  const [run, setRun] = useState<RunView | null>(null);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    const fail = (e: unknown) => {
      if (!abort.signal.aborted) setError(e instanceof Error ? e : new Error(String(e)));
    };
    getJson(`/v1/runs/${id}`, runViewSchema).then((first) => {
      if (abort.signal.aborted) return;
      setRun(first);
      if (isFinished(first)) return;
      setLive(true);
      // The stream replays the run from its start, so the transcript is rebuilt from it.
      let transcript: AnyTranscriptEntry[] = [];
      let ended = false;
      readEventStream(
        `/v1/runs/${id}/events`,
        authHeaders(),
        (event) => {
          const data: unknown = JSON.parse(event.data);
          if (event.event === "transcript") {
            transcript = [...transcript, decode(anyTranscriptEntrySchema, data, "transcript event")];
            const entries = transcript;
            setRun((r) => (r === null ? r : { ...r, transcript: entries }));
          } else if (event.event === "status") {
            const { status } = decode(runStatusEventSchema, data, "status event");
            setRun((r) => (r === null ? r : { ...r, status }));
          } else if (event.event === "ended") {
            ended = true;
            setRun(decode(runViewSchema, data, "ended event"));
            setLive(false);
          }
        },
        abort.signal,
      )
        .then(async (res) => {
          if (!res.ok) throw new Error(`the run's event stream answered ${res.status}`);
          setLive(false);
          // A stream that closed before `ended` (a restart, a proxy's timeout): read where the run stands.
          if (!ended && !abort.signal.aborted) setRun(await getJson(`/v1/runs/${id}`, runViewSchema));
        })
        .catch(fail);
    }, fail);
    return () => abort.abort();
  }, [id]);
  return { run, live, error };
}

function Entry({ entry }: { entry: AnyTranscriptEntry }) {
  const at = "at_ms" in entry ? entry.at_ms : entry.start_ms;
  if (entry.role === "function_call" || entry.role === "function_call_result") {
    const data = "data" in entry ? entry.data : undefined;
    const payload = entry.role === "function_call" ? data?.arguments : data?.result;
    return (
      <li class={`entry entry-${entry.role}`}>
        <span class="who">{entry.role === "function_call" ? "function call" : "function result"}</span>
        <span class="at">{formatMs(at)}</span>
        <div class="said">
          <code>{data?.name ?? entry.content}</code>
          {payload !== undefined && <pre>{JSON.stringify(payload, null, 2)}</pre>}
        </div>
      </li>
    );
  }
  const latency = "latency_ms" in entry ? entry.latency_ms : undefined;
  return (
    <li class={`entry entry-${entry.role}`}>
      <span class="who">{entry.role === "user" ? "caller" : "agent"}</span>
      <span class="at">
        {formatMs(at)}
        {latency !== undefined && <> · replied in {formatMs(latency)}</>}
      </span>
      <div class="said">{entry.content}</div>
    </li>
  );
}

export function RunPage({ id }: { id: number }) {
  const { run, live, error } = useLiveRun(id);
  if (run === null) return error ? <ErrorNote error={error} /> : <Loading what={`run ${id}`} />;
  const voiceMetrics = VoiceMetricsSchema.safeParse(run.metrics);
  const metadata = Object.entries(run.metadata);
  return (
    <>
      <p class="crumbs">
        <a href={`${BASE}/test-runs`}>Test runs</a> /{" "}
        <a href={`${BASE}/test-runs/${run.test_run_id}`}>#{run.test_run_id}</a> /
      </p>
      <h1>
        Run #{run.id}: {run.scenario_name ?? "scenario"}
      </h1>
      <ErrorNote error={error} />
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <Badge value={run.status} /> {live && <span class="live">live</span>}
        </dd>
        <dt>Result</dt>
        <dd>
          <Passed passed={run.passed} />
        </dd>
        <dt>Ended</dt>
        <dd>
          {run.ended_reason ?? "—"}
          {run.ended_by !== null && ` (by ${run.ended_by})`}
        </dd>
        <dt>Channel</dt>
        <dd>
          {run.channel}, attempt {run.attempt}
        </dd>
        <dt>Duration</dt>
        <dd>{formatMs(run.duration_ms)}</dd>
        <dt>Started</dt>
        <dd>{formatTime(run.started_at)}</dd>
      </dl>
      {run.error !== null && (
        <p class="error" role="status">
          {run.error}
        </p>
      )}
      {run.channel === "voice" && (
        <VoiceRecording
          runId={run.id}
          recording={run.recording ?? null}
          transcript={run.transcript}
          metrics={voiceMetrics.success ? voiceMetrics.data : null}
          durationMs={run.duration_ms ?? 0}
        />
      )}
      <Section title="Transcript">
        {run.transcript.length === 0 ? (
          <p class="muted">{live ? "Waiting for the first turn…" : "Nothing was said."}</p>
        ) : (
          <ol class="transcript" aria-live={live ? "polite" : "off"} aria-label="Transcript">
            {run.transcript.map((entry, i) => (
              <Entry key={i} entry={entry} />
            ))}
          </ol>
        )}
      </Section>
      {metadata.length > 0 && (
        <Section title="Metadata">
          <dl class="facts">
            {metadata.map(([k, v]) => (
              <Fragment key={k}>
                <dt>{k}</dt>
                <dd>
                  <code>{typeof v === "string" ? v : JSON.stringify(v)}</code>
                </dd>
              </Fragment>
            ))}
          </dl>
        </Section>
      )}
      <Section title="Assertions">
        {run.assertions.length === 0 ? (
          <p class="muted">{isFinished(run) ? "No assertions." : "Evaluated when the run ends."}</p>
        ) : (
          <ul class="assertions">
            {run.assertions.map((a, i) => (
              <li key={i}>
                <Passed passed={a.passed} /> <strong>{a.kind}</strong> {a.detail}
                {a.reasoning !== undefined && <p class="muted">{a.reasoning}</p>}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <RunMetrics metrics={run.metrics} voice={voiceMetrics.success ? voiceMetrics.data : null} />
    </>
  );
}
