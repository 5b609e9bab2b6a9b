/**
 * The energy VAD's noise floor for one band (pure): recent frame levels (dB), and the levels of
 * the frames it judged to be the bed, not speech.
 *
 * The floor is the 10th percentile of recent levels, not the minimum — pink noise swings by a few
 * dB from frame to frame, and its quietest frame is no floor. A bed that swings as babble does
 * needs more: babble's 10th percentile is a pause between syllables, and judged against it half of
 * babble's frames cleared the onset and no gap between lines stayed quiet for the minimum silence.
 * Whether the bed swings is read on the bed's own frames (their spread, `spread`: white 0.4–0.6 dB,
 * pink 0.4–1.6 dB, babble 2.5–5.6 dB over bench/voice-vad's 90 s tracks at 20 dB SNR); a steady bed
 * keeps the 10th percentile. Once 500 ms of bed swing, the recent levels are judged by `liftedFloor`.
 * Until the stream has shown 500 ms of bed, whether it swings is unknown, and the floor is not
 * lifted by the recent spread: a long line, whose own levels spread widely, would lift the floor
 * into itself (a long first line after an opening silence split when it could: the reference bot's
 * media test). Over the stream's first second of sound only, it is lifted by at least what babble
 * needs (`UNREAD_BED_LIFT_DB`): a bed that opens a track may be babble, and 500 ms of babble do not
 * show all of its swing. Lifted for as long as the bed was unread, the same media test's long first
 * line split again.
 */
/**
 * What the stream's first second of sound is known to be: `unknown` (it may be babble) or `steady`
 * noise (the bed test heard one). After the first second, nothing is asked.
 */
export type OpeningBed = "unknown" | "steady";

export class NoiseFloor {
  private readonly recent: SortedWindow;
  private readonly bed: SortedWindow;

  /** `frames`: how many frames each history keeps. */
  constructor(frames: number) {
    this.recent = new SortedWindow(frames);
    this.bed = new SortedWindow(frames);
  }

  add(levelDb: number): void {
    this.recent.add(levelDb);
  }

  addBed(levelDb: number): void {
    this.bed.add(levelDb);
  }

  /**
   * The floor (dB) the newest frame is judged against. In the stream's first second of sound
   * (`opening`): an `unknown` bed lifts it by at least `UNREAD_BED_LIFT_DB`, read or not; a
   * `steady` one puts it at least at the median less a steady bed's spread — a codec's first frames
   * can be quieter than the bed (a received white bed opened on four frames 5–12 dB under it), and
   * among few frames they are the 10th percentile: the bed 12 dB over it read as speech.
   * `bedShown`: the stream has shown a bed outside speech; a swinging one then holds the floor
   * within `SWINGING_BED_MEDIAN_MARGIN_DB` of its own frames' median.
   */
  level(opening?: OpeningBed, bedShown = false): number {
    const tenth = percentile(this.recent.ascending, FLOOR_PERCENTILE);
    const floor =
      opening === "steady"
        ? Math.max(tenth, percentile(this.recent.ascending, MEDIAN) - STEADY_SPREAD_DB)
        : tenth;
    const unread = opening === "unknown" ? floor + UNREAD_BED_LIFT_DB : floor;
    if (this.bed.size() < MIN_BED_FRAMES) return unread;
    // The first 500 ms of a babble bed can read steady (seed 6 of the reference bot's: spread under
    // 2 dB), and their lifted floor is under the unread one: while asked to, keep the lift.
    const swinging = spread(this.bed.ascending) > STEADY_SPREAD_DB;
    const lifted = swinging ? liftedFloor(this.recent.ascending) : floor;
    const read =
      swinging && bedShown
        ? Math.max(lifted, percentile(this.bed.ascending, MEDIAN) - SWINGING_BED_MEDIAN_MARGIN_DB)
        : lifted;
    return Math.max(read, unread);
  }
}

const FLOOR_PERCENTILE = 0.1;
const MEDIAN = 0.5;
/** The bed's spread is read between its 10th and 30th percentiles. */
const SPREAD_PERCENTILE = 0.3;
/** The most a steady bed's frames spread (white 0.4–0.6 dB, pink 0.4–1.6 dB, babble 2.5–5.6 dB). */
const STEADY_SPREAD_DB = 2;
/** How much of the spread beyond a steady bed's lifts the floor. */
const SPREAD_GAIN = 1.5;
/** Bed frames needed before their spread is read (500 ms at 10 ms frames). */
const MIN_BED_FRAMES = 50;
/**
 * A swinging bed's floor is at least the median of its own frames less this. `liftedFloor` reads
 * the recent levels, and once lines are among them they push its percentiles up: over the bed
 * alone, before the agent's first line, the floor sat 2–4 dB lower than later in the same call,
 * and babble's swells cleared it. Babble at −40 dBFS alone for 8 s after 350 ms of zeros (a live
 * call's opening: the caller speaks first), seeds 1–40: 11 read 0.15–3.5 s of speech, now one a
 * 15 ms tail; live, one invented interruption in 8 babble calls at 20 dB (seed 24). The bed's
 * frames are those judged background, so its median is under the bed's own; 2 dB left 4 of the
 * offline openings, 1 dB one (bench/voice-onset `--first-line-ms 5000 --lead-ms 350`, seeds 1–40).
 */
const SWINGING_BED_MEDIAN_MARGIN_DB = 1;

/**
 * The lift before the bed's spread is read: what `liftedFloor` gives the reference bot's babble at
 * 20 dB SNR (6.9 dB). A bed that opens a track may swing, and judged against its 10th percentile
 * babble's syllables cleared the onset: 8 of 8 recorded 20 dB babble calls read their first
 * 0.45–1.1 s of bed as agent speech (an invented time to first audio, and in 1 call of 5 an
 * invented interruption of the caller's first line); with the lift, 2 of 8 did, for 0.1 and 0.45 s.
 * A steady bed pays 7 dB of onset for its first 500 ms; the spectral onset dates its lines anyway.
 */
const UNREAD_BED_LIFT_DB = 7;

/**
 * The floor from frame levels, in ascending order: the 10th percentile, lifted by 1.5 × the spread between the 10th
 * and 30th percentiles beyond 2 dB. Levels of a steady bed keep their 10th percentile; babble's
 * (the reference bot's 20 dB bed: 30th percentile 6.6 dB over the 10th) are judged from near the
 * babble's body, 7 dB higher, so its syllables stay under the onset and the gaps between lines stay
 * quiet for the minimum silence (bench/voice-vad: 10 of 24 lines merged before, none now).
 */
export function liftedFloor(ascending: readonly number[]): number {
  const floor = percentile(ascending, FLOOR_PERCENTILE);
  return floor + SPREAD_GAIN * Math.max(0, spread(ascending) - STEADY_SPREAD_DB);
}

function spread(ascending: readonly number[]): number {
  return percentile(ascending, SPREAD_PERCENTILE) - percentile(ascending, FLOOR_PERCENTILE);
}

/** The last `capacity` values, also kept in ascending order (a percentile is one lookup). */
class SortedWindow {
  private readonly arrival: number[] = [];
  readonly ascending: number[] = [];

  constructor(private readonly capacity: number) {}

  size(): number {
    return this.arrival.length;
  }

  add(value: number): void {
    this.arrival.push(value);
    this.ascending.splice(lowerBound(this.ascending, value), 0, value);
    if (this.arrival.length > this.capacity) {
      const oldest = this.arrival.shift() ?? value;
      this.ascending.splice(lowerBound(this.ascending, oldest), 1);
    }
  }
}

/** The first index whose value is not below `value`. */
function lowerBound(ascending: readonly number[], value: number): number {
  let lo = 0;
  let hi = ascending.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ascending[mid] ?? 0) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function percentile(ascending: readonly number[], p: number): number {
  return ascending[Math.floor(ascending.length * p)] ?? Number.NEGATIVE_INFINITY;
}
