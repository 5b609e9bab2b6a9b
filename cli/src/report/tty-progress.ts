/**
 * Progress on a terminal: finished runs scroll up as lines, and a bar on the last line is
 * redrawn in place. Bar redraws are throttled so a burst of starts does not flood the terminal;
 * run lines are never delayed.
 */
import { CLEAR_LINE, paint } from "./ansi.ts";
import type { ProgressReporter, ProgressStream } from "./progress-reporter.ts";
import { formatRunLine } from "./progress-reporter.ts";

export interface TtyProgressOptions {
  /** Least time between two bar redraws. Default 100 ms. */
  throttleMs?: number;
  /** Default true. */
  color?: boolean;
}

const BAR_WIDTH = 20;

export function createTtyProgress(
  stream: ProgressStream,
  total: number,
  options: TtyProgressOptions = {},
): ProgressReporter {
  const throttleMs = options.throttleMs ?? 100;
  const color = options.color ?? true;
  const running = new Map<string, string>();
  let finished = 0;
  let failed = 0;
  let lastDrawAt = Number.NEGATIVE_INFINITY;
  let pending: ReturnType<typeof setTimeout> | undefined;
  let barShown = false;

  function bar(): string {
    const filled = total === 0 ? BAR_WIDTH : Math.round((finished / total) * BAR_WIDTH);
    let line = `[${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}] ${finished}/${total} runs`;
    let width = line.length;
    if (failed > 0) {
      line += ` · ${paint("red", `${failed} failed`, color)}`;
      width += ` · ${failed} failed`.length;
    }
    // A bar wider than the terminal wraps, and `\r` would then redraw only its last row.
    const room = (stream.columns ?? 80) - 1 - width - " · running: ".length;
    if (running.size === 0 || room < 8) return line;
    const names = [...running.values()].join(", ");
    return `${line} · running: ${names.length > room ? `${names.slice(0, room - 1)}…` : names}`;
  }

  function draw(): void {
    if (pending !== undefined) clearTimeout(pending);
    pending = undefined;
    lastDrawAt = Date.now();
    stream.write(`${CLEAR_LINE}${bar()}`);
    barShown = true;
  }

  function requestDraw(): void {
    const wait = lastDrawAt + throttleMs - Date.now();
    if (wait <= 0) draw();
    else if (pending === undefined) pending = setTimeout(draw, wait);
  }

  return {
    runStarted(runId, scenarioId, attempt) {
      running.set(runId, `${scenarioId}#${attempt}`);
      requestDraw();
    },
    runFinished(run) {
      running.delete(run.run_id);
      finished++;
      if (!run.passed && run.status !== "interrupted") failed++;
      stream.write(`${barShown ? CLEAR_LINE : ""}${formatRunLine(run, color)}\n`);
      barShown = false;
      requestDraw();
    },
    done() {
      draw();
      stream.write("\n");
    },
  };
}
