/**
 * The lines around a parse error with a caret under the column, as vitest and babel print them:
 *
 *     2 | agent: [
 *   > 3 |   id: x
 *       |   ^
 */
const MAX_WIDTH = 120;

/** `line` and `column` are 1-based. */
export function codeFrame(text: string, line: number, column: number): string[] {
  const lines = text.split(/\r?\n/);
  const first = Math.max(1, line - 1);
  const gutter = String(line).length;
  // A long line is cut to a window that keeps the column in view.
  const start = Math.max(0, Math.min(column - 1 - MAX_WIDTH / 2, (lines[line - 1]?.length ?? 0) - MAX_WIDTH));
  const show = (n: number) => {
    // One visible character per code unit keeps the caret aligned (a tab would jump).
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
    const visible = (lines[n - 1] ?? "").replace(/[\u0000-\u001F\u007F]/g, " ");
    const cut = visible.slice(start, start + MAX_WIDTH);
    return `${n === line ? ">" : " "} ${String(n).padStart(gutter)} | ${start > 0 ? "…" : ""}${cut}`.trimEnd();
  };
  const out: string[] = [];
  for (let n = first; n <= line; n++) out.push(show(n));
  const caretAt = column - 1 - start + (start > 0 ? 1 : 0);
  out.push(`  ${" ".repeat(gutter)} | ${" ".repeat(Math.max(0, caretAt))}^`);
  return out;
}
