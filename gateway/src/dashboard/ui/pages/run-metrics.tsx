/**
 * A run's metrics. Text runs: turns and reply latency. Voice runs: every metric with its error
 * bar, read from how it was measured (docs/voice-metrics.md): playout timestamps are exact, a VAD
 * is good to about one frame, transcription and STT timings to what their source gives.
 */
import { type MeasuredWith, textRunMetricsSchema, VOICE_METRIC_KEYS } from "@spar/protocol";
import { formatMs, Section, Table } from "../components.tsx";
import type { VoiceMetrics } from "../schemas.ts";

/** The error bar of a metric measured this way, in words a person reads. */
export function errorBarOf(how: MeasuredWith): string {
  if (how.caller_source === "none" && how.agent_source === "none") return "exact (counted)";
  const parts: string[] = [];
  if (how.vad !== null) parts.push(`± ${how.vad.frame_ms} ms (${how.vad.engine} VAD frames)`);
  else if (how.agent_source === "transcription") parts.push("± the agent's transcription timing");
  else if (how.agent_source === "stt" || how.stt !== null) parts.push("± the STT's word timing");
  if (how.stt?.fidelity === "low_fidelity") parts.push("words: low-fidelity offline STT");
  return parts.length === 0 ? "exact (playout timestamps)" : parts.join("; ");
}

function metricText(metrics: VoiceMetrics, key: (typeof VOICE_METRIC_KEYS)[number]): string {
  switch (key) {
    case "latency_ms": {
      const l = metrics.latency_ms;
      return l === null
        ? "no turn answered"
        : `avg ${formatMs(l.average_ms)} · p50 ${formatMs(l.p50_ms)} · p95 ${formatMs(l.p95_ms)} over ${l.turns.length} turns`;
    }
    case "user_interruptions":
    case "ai_interruptions":
      return String(metrics[key].count);
    case "stop_time_after_interruption":
      return metrics[key].average_ms === null
        ? "no interruption"
        : `avg ${formatMs(metrics[key].average_ms)}`;
    case "silence_detection": {
      const s = metrics.silence_detection;
      return `agent ${s.ai_channel.count} (${formatMs(s.ai_channel.total_ms)}), caller ${s.user_channel.count} (${formatMs(s.user_channel.total_ms)}) ≥ ${formatMs(s.threshold_ms)}`;
    }
    case "time_to_first_audio_ms":
    case "duration_ms":
      return formatMs(metrics[key]);
    case "talk_ratio":
      return metrics.talk_ratio === null ? "—" : `${Math.round(metrics.talk_ratio * 100)}% agent`;
    case "words_per_minute":
      return metrics.words_per_minute === null ? "—" : `${Math.round(metrics.words_per_minute)} wpm`;
  }
}

export function RunMetrics({
  metrics,
  voice,
}: {
  metrics: Record<string, unknown>;
  voice: VoiceMetrics | null;
}) {
  if (voice !== null) {
    return (
      <Section title="Metrics">
        <Table label="Voice metrics">
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col">Value</th>
              <th scope="col">Error bar</th>
            </tr>
          </thead>
          <tbody>
            {VOICE_METRIC_KEYS.map((key) => (
              <tr key={key}>
                <th scope="row">{key.replaceAll("_", " ")}</th>
                <td>{metricText(voice, key)}</td>
                <td title={voice.measured_with[key].description}>{errorBarOf(voice.measured_with[key])}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Section>
    );
  }
  const text = textRunMetricsSchema.safeParse(metrics);
  if (!text.success) return null;
  const latency = text.data.latency_ms;
  return (
    <Section title="Metrics">
      <dl class="facts">
        <dt>Agent turns</dt>
        <dd>{text.data.turns}</dd>
        <dt>Reply latency</dt>
        <dd>
          {latency === null
            ? "—"
            : `avg ${formatMs(latency.average_ms)} · p50 ${formatMs(latency.p50_ms)} · p95 ${formatMs(latency.p95_ms)}`}{" "}
          <span class="muted">(at the gateway: message sent → reply received)</span>
        </dd>
      </dl>
    </Section>
  );
}
