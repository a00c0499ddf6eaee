import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import os from "node:os";

// Linux reports utime and stime in clock ticks of USER_HZ, which is 100 on
// common builds; `getconf CLK_TCK` returns the real value when it differs.
let clockTicks;
function ticksPerSecond() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * Return the user and system CPU time of process `pid` in milliseconds, from
 * /proc/{pid}/stat (fields 14 and 15, after the command name in brackets).
 * The resolution is one clock tick, 10 ms at USER_HZ 100.
 */
export function cpuTimeMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  const msPerTick = 1000 / ticksPerSecond();
  return { user: user * msPerTick, system: system * msPerTick, total: (user + system) * msPerTick };
}

/** Return the resident set size of `pid` in MiB, and its peak (VmHWM), from /proc/{pid}/status. */
export function residentMemoryMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
}

/** Return the pids of `pid` and all its descendants, from /proc/{pid}/task/*\/children. */
export function processTree(pid) {
  const pids = [pid];
  for (let index = 0; index < pids.length; index++) {
    try {
      const children = readFileSync(`/proc/${pids[index]}/task/${pids[index]}/children`, "utf8").trim();
      if (children) pids.push(...children.split(/\s+/).map(Number));
    } catch {
      // The process ended between the two reads.
    }
  }
  return pids;
}

/** Sum of the CPU time of `pid` and its descendants, in milliseconds. */
export function treeCpuTimeMs(pid) {
  return processTree(pid).reduce((sum, each) => {
    try {
      return sum + cpuTimeMs(each).total;
    } catch {
      return sum;
    }
  }, 0);
}

/** Describe this machine: CPU model, cores, memory and kernel. */
export function machineInfo() {
  const cpus = os.cpus();
  let model = cpus[0]?.model ?? "unknown";
  try {
    // Some virtual machines report only the family in /proc/cpuinfo, and lscpu may print more.
    const lscpu = execFileSync("lscpu", { encoding: "utf8" });
    const lscpuModel = /^Model name:\s+(.+)$/m.exec(lscpu)?.[1]?.trim();
    if (lscpuModel && lscpuModel.length > model.length) model = lscpuModel;
  } catch {
    // lscpu is missing; keep os.cpus()'s model.
  }
  return {
    cpuModel: model,
    cores: cpus.length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    kernel: `${os.type()} ${os.release()}`,
  };
}

/** Return the 1-minute load average; above the number of cores, other work competes with the benchmark. */
export function loadAverage() {
  return os.loadavg()[0];
}

/**
 * Wait until the 1-minute load average drops below `threshold`, checking
 * every 5 s for at most `timeoutMs`. Returns the load average when it stopped waiting.
 */
export async function waitForQuietMachine({ threshold, timeoutMs, log }) {
  const deadline = Date.now() + timeoutMs;
  let load = loadAverage();
  if (load >= threshold) log?.(`load average ${load.toFixed(1)}; waiting up to ${timeoutMs / 1000} s for it to drop below ${threshold}`);
  while (load >= threshold && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    load = loadAverage();
  }
  return load;
}
