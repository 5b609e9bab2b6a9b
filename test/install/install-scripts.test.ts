import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;
const npm = (...args: string[]) => spawnSync("npm", args, { cwd: root, encoding: "utf8" });
// `npm install-scripts` (and the allowScripts policy it reads) arrived in npm 11.19; older npm runs
// every install script and has nothing to check.
const hasPolicy = npm("help", "install-scripts").status === 0;

describe("install scripts", () => {
  it.skipIf(!hasPolicy)("leaves no installed dependency's install script unreviewed in allowScripts", () => {
    const r = npm("install-scripts", "ls", "--json");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ allowScripts: [] });
  });
});
