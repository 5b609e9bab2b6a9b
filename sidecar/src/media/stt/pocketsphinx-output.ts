import type { TranscribedWord, TranscriptSegment } from "./speech-to-text.ts";

const WORD_LINE = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?)$/;
/** Tokens that mark silence, noise or utterance bounds rather than words. */
const NON_WORD = /^(<s>|<\/s>|<sil>|\[.*\]|\+\+.*\+\+)$/;

/**
 * Parses `pocketsphinx_continuous -time yes` output line by line: a hypothesis line, then one
 * `word start end confidence` line per token (seconds from stream start), closed by `</s>`.
 */
export class PocketsphinxOutputParser {
  private words: TranscribedWord[] = [];
  private start: number | undefined;

  /** Returns the segment a line completes, if any. */
  line(raw: string): TranscriptSegment | undefined {
    const line = raw.trim();
    const m = WORD_LINE.exec(line);
    if (!m) return undefined; // hypothesis text or log noise: the word lines carry everything we need
    const token = m[1] ?? "";
    const startMs = Math.round(Number(m[2]) * 1000);
    const endMs = Math.round(Number(m[3]) * 1000);
    if (token === "<s>") {
      this.words = [];
      this.start = startMs;
      return undefined;
    }
    if (token === "</s>") {
      const words = this.words;
      this.words = [];
      const first = words[0];
      const last = words.at(-1);
      if (!first || !last) return undefined; // an utterance of only noise
      return { text: words.map((w) => w.word).join(" "), startMs: first.startMs, endMs: last.endMs, words };
    }
    if (NON_WORD.test(token)) return undefined;
    this.start ??= startMs;
    // "to(3)" names the 3rd pronunciation of "to"; the transcript wants the word.
    const word = token.replace(/\(\d+\)$/, "");
    this.words.push({ word, startMs, endMs, confidence: Math.max(0, Math.min(1, Number(m[4]))) });
    return undefined;
  }
}
