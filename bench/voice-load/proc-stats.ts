// What /proc says about the processes and threads of a voice-load run: CPU per process and per
// thread name, UDP drops in the namespace, machine busy time, and per-thread niceness (Linux).
import { readdirSync, readFileSync } from "node:fs";
import { setPriority } from "node:os";

/** Fields of /proc/<pid>/stat after the command name: [0] = state, [1] = ppid, [11] = utime. */
export function statOf(path: string): string[] {
  try {
    return readFileSync(path, "utf8").split(") ")[1]?.split(" ") ?? [];
  } catch {
    return [];
  }
}

/** CPU ms used so far by another process, all its threads (utime + stime at 100 Hz ticks). */
export function cpuMsOf(pid: number): number {
  const fields = statOf(`/proc/${pid}/stat`);
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
}

/** Child processes of this one, except those listed. */
export function childPidsOf(parent: number, except: number[]): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => !except.includes(pid) && statOf(`/proc/${pid}/stat`)[1] === String(parent));
}

/** CPU ms so far of each thread of this process, with its name (rtc-node names its threads). */
export function threadSnapshot(): Map<string, { name: string; ms: number }> {
  const byTid = new Map<string, { name: string; ms: number }>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const name = readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim();
      const fields = statOf(`/proc/self/task/${tid}/stat`);
      byTid.set(tid, { name, ms: (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10 });
    } catch {
      // the thread ended meanwhile
    }
  }
  return byTid;
}

/**
 * CPU per thread name over a level. Calls start and end their own threads (each call's
 * AudioEncoder, AudioSourceCapture…), so threads are sampled every 500 ms and a thread that
 * ended counts with its last sample (losing at most 500 ms of its CPU).
 */
export function threadSampler(): { stop(): Map<string, number> } {
  const start = threadSnapshot();
  const last = new Map(start);
  const timer = setInterval(() => {
    for (const [tid, t] of threadSnapshot()) last.set(tid, t);
  }, 500);
  return {
    stop() {
      clearInterval(timer);
      for (const [tid, t] of threadSnapshot()) last.set(tid, t);
      const byName = new Map<string, number>();
      for (const [tid, t] of last)
        byName.set(t.name, (byName.get(t.name) ?? 0) + t.ms - (start.get(tid)?.ms ?? 0));
      return byName;
    },
  };
}

/** UDP datagrams dropped in this network namespace so far (receive buffer full, or no socket). */
export function udpDrops(): number {
  const lines = readFileSync("/proc/self/net/snmp", "utf8")
    .split("\n")
    .filter((l) => l.startsWith("Udp:"));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/).map(Number) ?? [];
  return (values[names.indexOf("RcvbufErrors")] ?? 0) + (values[names.indexOf("InErrors")] ?? 0);
}

/** Busy and total jiffies of the whole machine (all cores) from /proc/stat. */
export function machineTicks(): { busy: number } {
  const cpu =
    readFileSync("/proc/stat", "utf8").split("\n")[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - (cpu[3] ?? 0) - (cpu[4] ?? 0) };
}

/**
 * Sets the niceness of every thread of a process. Linux keeps niceness per thread and
 * setpriority(pid) changes only the main one, while rtc-node's and libuv's threads do the work.
 */
export function reniceAll(pid: number, nice: number): void {
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      setPriority(Number(tid), nice);
    } catch {
      // the thread ended meanwhile
    }
  }
}

/** Distinct niceness values over a process's threads, e.g. "19" or "0,19". */
export function nicenessOf(pid: number): string {
  const all = new Set(
    readdirSync(`/proc/${pid}/task`).map((tid) => statOf(`/proc/${pid}/task/${tid}/stat`)[16]),
  );
  return [...all].sort().join(",");
}
