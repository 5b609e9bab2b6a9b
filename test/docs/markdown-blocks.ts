/**
 * Fenced code blocks of the user documentation, with the marker comment written right before
 * each (`<!-- fragment: agent.voice -->`, `<!-- frame: agent -->`), so tests can check every
 * example against the real code instead of trusting prose.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface CodeBlock {
  /** `README.md:52`: the file and the line of the opening fence. */
  where: string;
  lang: string;
  text: string;
  /** `fragment`, `frame`, `schema`… from `<!-- key: value -->` on the line before the fence. */
  marker: { key: string; value: string } | undefined;
}

const ROOT = join(import.meta.dirname, "..", "..");

/** README.md and every docs/*.md, relative to the repository root. */
export function userDocs(): string[] {
  const docs = readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => join("docs", f));
  return ["README.md", ...docs];
}

export function readDoc(file: string): string {
  return readFileSync(join(ROOT, file), "utf8");
}

/** Every fenced block of `markdown`; indented fences (inside list items) are dedented. */
export function codeBlocks(file: string, markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const out: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i] ?? "");
    if (!open) continue;
    const indent = open[1] ?? "";
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && (lines[j] ?? "").trimEnd() !== `${indent}\`\`\``) {
      const line = lines[j] ?? "";
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
      j++;
    }
    if (j === lines.length) throw new Error(`${file}:${i + 1}: a code fence is never closed`);
    const marker = /^\s*<!--\s*([a-z-]+):\s*(.+?)\s*-->\s*$/.exec(previousNonBlank(lines, i) ?? "");
    out.push({
      where: `${file}:${i + 1}`,
      lang: open[2] ?? "",
      text: `${body.join("\n")}\n`,
      marker: marker ? { key: marker[1] ?? "", value: marker[2] ?? "" } : undefined,
    });
    i = j;
  }
  return out;
}

function previousNonBlank(lines: readonly string[], index: number): string | undefined {
  for (let k = index - 1; k >= 0; k--) {
    if ((lines[k] ?? "").trim() !== "") return lines[k];
  }
  return undefined;
}
