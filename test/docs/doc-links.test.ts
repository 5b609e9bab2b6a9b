/** Links between the documentation pages land on a file and a heading that exist. */
import { existsSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { readDoc, userDocs } from "./markdown-blocks.ts";

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let inFence = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const h = inFence ? null : /^#{1,6} (.+)$/.exec(line);
    if (h) out.add(slug(h[1] ?? ""));
  }
  return out;
}

/** Relative links outside code: `[text](target)` where target is not a URL. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? "").filter((t) => !/^[a-z]+:/i.test(t));
}

const ROOT = join(import.meta.dirname, "..", "..");

describe("documentation links", () => {
  it("slugs headings the way GitHub does", () => {
    expect(slug("Frames: platform → agent")).toBe("frames-platform--agent");
    expect(slug(`\`\${VAR}\` from the environment`)).toBe("var-from-the-environment");
    expect(slug("`ai_interruptions` — the agent talks over the caller")).toBe(
      "ai_interruptions--the-agent-talks-over-the-caller",
    );
  });

  it.each(userDocs())("%s links only to files and headings that exist", (file) => {
    const broken: string[] = [];
    for (const target of links(readDoc(file))) {
      const [path = "", anchor] = target.split("#");
      const resolved = path === "" ? file : normalize(join(dirname(file), path));
      if (!existsSync(join(ROOT, resolved))) {
        broken.push(`${target} (no ${resolved})`);
      } else if (
        anchor !== undefined &&
        resolved.endsWith(".md") &&
        !anchors(readDoc(resolved)).has(anchor)
      ) {
        broken.push(`${target} (no heading #${anchor} in ${resolved})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
