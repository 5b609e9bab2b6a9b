/**
 * A voice run's recording: the stereo WAV (caller left, agent right) fetched with the API key into
 * a blob URL, drawn by wavesurfer.js as two waveforms, and under it the turn timeline — caller and
 * agent lanes, each agent turn's latency, interruptions and silences — where a click seeks.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import WaveSurfer from "wavesurfer.js";
import { authHeaders } from "../api.ts";
import { formatClock, formatMs, Section } from "../components.tsx";
import type { AnyTranscriptEntry, RunRecording, VoiceMetrics, VoiceTranscriptEntry } from "../schemas.ts";
import { type Timeline, turnTimeline } from "../turn-timeline.ts";

const CALLER = "#1d4ed8";
const AGENT = "#b45309";

type Loading =
  | { state: "loading" }
  | { state: "ready"; durationS: number }
  | { state: "unavailable"; why: string };

function isVoiceEntry(entry: AnyTranscriptEntry): entry is VoiceTranscriptEntry {
  return "start_ms" in entry && (entry.role === "user" || entry.role === "agent");
}

function TurnTimeline({
  timeline,
  onSeek,
  atMs,
}: {
  timeline: Timeline;
  onSeek: (ms: number) => void;
  atMs: number;
}) {
  const pct = (ms: number) => `${(Math.min(ms, timeline.durationMs) / timeline.durationMs) * 100}%`;
  const width = (a: number, b: number) => `${(Math.max(b - a, 0) / timeline.durationMs) * 100}%`;
  return (
    <section class="timeline" aria-label="Turn timeline">
      <div class="overlay">
        {timeline.bands.map((band) => (
          <div
            key={`${band.kind}-${band.startMs}`}
            class={`band band-${band.kind}`}
            style={{ left: pct(band.startMs), width: width(band.startMs, band.endMs) }}
            title={band.label}
          >
            <span class="sr-only">{band.label}</span>
          </div>
        ))}
        <div class="playhead" style={{ left: pct(atMs) }} aria-hidden="true" />
      </div>
      {(["caller", "agent"] as const).map((lane) => (
        <div key={lane} class={`lane lane-${lane}`}>
          <span class="lane-name">{lane}</span>
          {timeline.turns.map((turn, i) =>
            turn.lane !== lane ? null : (
              <button
                key={i}
                type="button"
                class="turn"
                data-turn={i + 1}
                style={{ left: pct(turn.startMs), width: width(turn.startMs, turn.endMs) }}
                aria-label={`${lane} turn ${i + 1} at ${formatClock(turn.startMs / 1000)}${turn.latencyMs === null ? "" : `, ${formatMs(turn.latencyMs)} latency`}: ${turn.text}`}
                title={turn.text}
                onClick={() => onSeek(turn.startMs)}
              >
                {turn.latencyMs !== null && <span class="latency">{formatMs(turn.latencyMs)}</span>}
              </button>
            ),
          )}
        </div>
      ))}
    </section>
  );
}

export function VoiceRecording(props: {
  runId: number;
  /** The run's `recording`; null until the run has one (then the gateway answers the route 404). */
  recording: RunRecording | null;
  transcript: readonly AnyTranscriptEntry[];
  metrics: VoiceMetrics | null;
  durationMs: number;
}) {
  const waveform = useRef<HTMLDivElement>(null);
  const player = useRef<WaveSurfer | null>(null);
  const [loading, setLoading] = useState<Loading>({ state: "loading" });
  const [atS, setAtS] = useState(0);
  const [playing, setPlaying] = useState(false);
  // Always the gateway's own route (it serves the file on Node and from R2 on Workers), on the origin
  // this page came from, so the key goes nowhere else whatever base `stereo_url` was written with.
  const url = `/v1/runs/${props.runId}/recording`;
  const hasRecording = props.recording !== null;

  useEffect(() => {
    const abort = new AbortController();
    let blobUrl: string | null = null;
    (async () => {
      if (!hasRecording) {
        setLoading({ state: "unavailable", why: "This run has no recording." });
        return;
      }
      const res = await fetch(url, { headers: authHeaders(), signal: abort.signal });
      if (!res.ok) {
        const why =
          res.status === 404
            ? "The gateway has no recording for this run (404)."
            : `The recording could not be fetched (${res.status} ${res.statusText}).`;
        setLoading({ state: "unavailable", why });
        return;
      }
      blobUrl = URL.createObjectURL(await res.blob());
      if (abort.signal.aborted || waveform.current === null) return;
      const ws = WaveSurfer.create({
        container: waveform.current,
        url: blobUrl,
        height: 56,
        splitChannels: [
          { waveColor: CALLER, progressColor: "#1e3a8a" },
          { waveColor: AGENT, progressColor: "#78350f" },
        ],
        cursorColor: "#111827",
        normalize: true,
        dragToSeek: true,
      });
      player.current = ws;
      ws.on("ready", (duration) => setLoading({ state: "ready", durationS: duration }));
      ws.on("timeupdate", (t) => setAtS(t));
      ws.on("play", () => setPlaying(true));
      ws.on("pause", () => setPlaying(false));
      ws.on("error", (e) =>
        setLoading({ state: "unavailable", why: `The recording could not be decoded: ${String(e)}` }),
      );
    })().catch((e: unknown) => {
      if (!abort.signal.aborted)
        setLoading({ state: "unavailable", why: `The recording could not be fetched: ${String(e)}` });
    });
    return () => {
      abort.abort();
      player.current?.destroy();
      player.current = null;
      if (blobUrl !== null) URL.revokeObjectURL(blobUrl);
    };
  }, [url, hasRecording]);

  const timeline = turnTimeline(props.transcript.filter(isVoiceEntry), props.metrics, props.durationMs);
  const seek = (ms: number) => {
    player.current?.setTime(ms / 1000);
    setAtS(ms / 1000);
  };
  const durationS = loading.state === "ready" ? loading.durationS : timeline.durationMs / 1000;
  return (
    <Section title="Recording">
      <div class="recording" data-state={loading.state} data-duration-ms={Math.round(durationS * 1000)}>
        {loading.state === "unavailable" && (
          <p class="notice" role="status">
            {loading.why} The turn timeline below is from the transcript.
          </p>
        )}
        <div class="legend" aria-hidden="true">
          <span class="key key-caller">caller (left)</span> <span class="key key-agent">agent (right)</span>
          {props.recording !== null && ` · ${props.recording.sample_rate_hz / 1000} kHz stereo`}
        </div>
        <div ref={waveform} class="waveform" hidden={loading.state === "unavailable"} />
        <div class="controls">
          <button
            type="button"
            disabled={loading.state !== "ready"}
            onClick={() => void player.current?.playPause()}
            aria-label={playing ? "Pause" : "Play"}
          >
            {playing ? "Pause" : "Play"}
          </button>
          <span class="clock" data-current-ms={Math.round(atS * 1000)} aria-live="off">
            {formatClock(atS)} / {formatClock(durationS)}
          </span>
        </div>
        <TurnTimeline timeline={timeline} onSeek={seek} atMs={atS * 1000} />
      </div>
    </Section>
  );
}
