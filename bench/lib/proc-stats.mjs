// CPU and memory of a process from /proc (Linux): what the kernel charged it, not what it says of itself.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond;
function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User and system (kernel) CPU time the process has used so far, in µs (resolution: one clock tick). */
export function cpuTimes(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is field 3, utime field 14, stime field 15 (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const us = (ticks) => (Number(ticks) * 1e6) / clockTicks();
  return { user: us(fields[11]), system: us(fields[12]) };
}

/** User + system CPU time the process has used so far, in µs. */
export function cpuMicros(pid) {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : NaN;
}

/** Samples a process's RSS every `everyMs` until stopped; reports the peak and the last sample. */
export function watchRss(pid, everyMs = 250) {
  let peak = 0;
  let last = 0;
  const sample = () => {
    try {
      last = rssBytes(pid);
      peak = Math.max(peak, last);
    } catch {
      // the process is gone; keep what was seen
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peak, last };
    },
  };
}

/** The 1-minute load average, so a result says how busy the machine was. */
export function loadAverage() {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** Jiffies of the whole machine so far: { busy, total } from the first line of /proc/stat. */
export function machineCpu() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** Share of all CPUs busy between two machineCpu() readings, in percent. */
export const busyPercent = (a, b) => (100 * (b.busy - a.busy)) / (b.total - a.total || 1);
