// The device fleet: several generator processes (so the load generator is not the bottleneck), each
// with an equal share of the devices. Latency histograms are merged across processes.
import { fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { once } from 'node:events';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { ROOT } from './paths.mjs';
import { cpuMicros } from './proc-stats.mjs';

const WORKER = join(ROOT, 'bench/lib/publisher.worker.mjs');

function request(child, message, reply) {
  return new Promise((resolve, reject) => {
    const onMessage = (m) => {
      if (m.type === reply) done(resolve, m);
      else if (m.type === 'error') done(reject, new Error(`generator ${child.pid}: ${m.message}`));
    };
    const onExit = (code) => done(reject, new Error(`generator ${child.pid} exited with ${code}`));
    const done = (settle, value) => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      settle(value);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.send(message);
  });
}

export async function startFleet({ url, devices, generators, nice = 0, connectConcurrency = 32 }) {
  const count = Math.max(1, Math.min(generators, devices.length));
  const children = Array.from({ length: count }, () =>
    fork(WORKER, [], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const shares = children.map((_, i) => devices.filter((_, j) => j % count === i));
  const pids = children.map((c) => c.pid);
  if (nice !== 0) for (const pid of pids) setPriority(pid, nice);
  const connect = async () => {
    const replies = await Promise.all(
      children.map((child, i) =>
        request(
          child,
          { type: 'connect', url, devices: shares[i], concurrency: connectConcurrency },
          'connected',
        ),
      ),
    );
    return {
      connected: sum(replies, 'connected'),
      failed: sum(replies, 'failed'),
      firstError: replies.find((r) => r.firstError)?.firstError ?? null,
      seconds: Math.max(...replies.map((r) => r.seconds)),
    };
  };
  const run = async (options) => {
    const replies = await Promise.all(
      children.map((child) => request(child, { type: 'run', ...options }, 'ran')),
    );
    const merged = (field) => {
      const histogram = hdr.build({ highestTrackableValue: 120e6 });
      for (const reply of replies) histogram.add(hdr.decodeFromCompressedBase64(reply[field]));
      return histogram;
    };
    const histogram = merged('histogram');
    const steady = merged('steadyHistogram');
    return {
      sent: sum(replies, 'sent'),
      acked: sum(replies, 'acked'),
      errors: sum(replies, 'errors'),
      unacked: sum(replies, 'unacked'),
      firstError: replies.find((r) => r.firstError)?.firstError ?? null,
      tailSeconds: Math.max(...replies.map((r) => r.tailSeconds)),
      latencyMs: {
        p50: histogram.getValueAtPercentile(50) / 1000,
        p99: histogram.getValueAtPercentile(99) / 1000,
        max: histogram.maxValue / 1000,
      },
      steadyLatencyMs: {
        p50: steady.getValueAtPercentile(50) / 1000,
        p99: steady.getValueAtPercentile(99) / 1000,
        max: steady.maxValue / 1000,
      },
    };
  };
  const close = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null) return;
        const exited = once(child, 'exit');
        await request(child, { type: 'close' }, 'closed').catch(() => child.kill('SIGKILL'));
        await exited;
      }),
    );
  };
  /** CPU the generator processes have used so far (µs): to see whether they, not the broker, set the pace. */
  const cpu = () => pids.reduce((total, pid) => total + cpuMicros(pid), 0);
  return { pids, connect, run, close, cpu };
}

const sum = (replies, key) => replies.reduce((total, r) => total + (r[key] ?? 0), 0);
