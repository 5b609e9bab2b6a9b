/**
 * Resident memory of a process tree on Linux, from /proc: the descendants of a pid (through the
 * ppid field of /proc/<pid>/stat) and each one's VmRSS, sampled periodically and kept at the
 * peak of the sum per group (e.g. workerd vs wrangler's Node processes). Summing RSS counts
 * shared pages once per process, so the figure is an upper bound.
 */
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** The executable's name as the kernel keeps it (at most 15 characters). */
  comm: string;
}

function readProcess(pid: number): ProcessEntry | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // Gone between the listing and the read.
  }
  // "pid (comm) state ppid …"; comm may hold spaces and parentheses, so cut at the last ")".
  const close = stat.lastIndexOf(")");
  const comm = stat.slice(stat.indexOf("(") + 1, close);
  const ppid = Number(stat.slice(close + 2).split(" ")[1]);
  return { pid, ppid, comm };
}

/** The root (if it still runs) and every process below it. */
export function processTree(root: number): ProcessEntry[] {
  const all = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessEntry => p !== undefined);
  const children = new Map<number, ProcessEntry[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out = all.filter((p) => p.pid === root);
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** VmRSS in bytes, or 0 once the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface TreeRss {
  /** Bytes per group: the largest sum seen in one sample. */
  peak: Map<string, number>;
  /** Processes per group in the sample that set the peak. */
  processes: Map<string, number>;
}

/** The current RSS of root's tree, summed per group (`group` undefined: not counted). */
export function treeRss(root: number, group: (p: ProcessEntry) => string | undefined): TreeRss {
  const peak = new Map<string, number>();
  const processes = new Map<string, number>();
  for (const p of processTree(root)) {
    const name = group(p);
    if (name === undefined) continue;
    peak.set(name, (peak.get(name) ?? 0) + rssBytes(p.pid));
    processes.set(name, (processes.get(name) ?? 0) + 1);
  }
  return { peak, processes };
}

/** Samples treeRss every `everyMs` until stopped; answers the peak per group. */
export function sampleTreeRss(
  root: number,
  everyMs: number,
  group: (p: ProcessEntry) => string | undefined,
): { stop(): TreeRss } {
  const seen: TreeRss = { peak: new Map(), processes: new Map() };
  const sample = () => {
    const now = treeRss(root, group);
    for (const [name, bytes] of now.peak) {
      if (bytes > (seen.peak.get(name) ?? 0)) {
        seen.peak.set(name, bytes);
        seen.processes.set(name, now.processes.get(name) ?? 0);
      }
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return seen;
    },
  };
}
