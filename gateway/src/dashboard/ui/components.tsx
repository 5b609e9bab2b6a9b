/** Small pieces every page uses: status badges, errors, times and durations. */
import type { ComponentChildren } from "preact";

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** `m:ss.t` for a position in a recording. */
export function formatClock(seconds: number): string {
  const whole = Math.max(0, seconds);
  const m = Math.floor(whole / 60);
  const s = whole - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, "0")}`;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

const TONES: Record<string, string> = {
  passed: "good",
  completed: "good",
  failed: "bad",
  interrupted: "warn",
  pending: "warn",
  running: "info",
  queued: "info",
  done: "neutral",
};

/** A word with a colour that never carries the meaning alone (the word is always there). */
export function Badge({ value }: { value: string }) {
  return <span class={`badge badge-${TONES[value] ?? "neutral"}`}>{value}</span>;
}

export function Passed({ passed }: { passed: boolean | null }) {
  return <Badge value={passed === null ? "pending" : passed ? "passed" : "failed"} />;
}

export function ErrorNote({ error }: { error: Error | null }) {
  if (error === null) return null;
  return (
    <p class="error" role="alert">
      {error.message}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" aria-busy="true">
      Loading {what}…
    </p>
  );
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** A table that scrolls sideways on a narrow screen instead of squeezing its columns. */
export function Table({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section class="table-scroll" tabIndex={0} aria-label={label}>
      <table>{children}</table>
    </section>
  );
}
