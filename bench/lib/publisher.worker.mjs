// One load-generator process: a share of the fleet, one mqtt.js connection per device (MQTT 3.1.1).
// Driven by its parent over IPC: connect -> run -> (report) -> close. Ack latency = publish() to PUBACK.
import * as hdr from 'hdr-histogram-js';
import mqtt from 'mqtt';
import { performance } from 'node:perf_hooks';

/** @type {import('hdr-histogram-js').BuildRequest} */
const HISTOGRAM = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 120e6,
  numberOfSignificantValueDigits: 3,
};
let clients = [];
let stopping = false;

const send = (message) => process.send(message);

async function connectAll({ url, devices, concurrency }) {
  let next = 0;
  let failed = 0;
  let firstError = null;
  const started = performance.now();
  const worker = async () => {
    while (next < devices.length) {
      const device = devices[next++];
      try {
        const client = await mqtt.connectAsync(url, {
          clientId: device.id,
          username: device.username,
          password: device.password,
          protocolVersion: 4,
          reconnectPeriod: 0,
          connectTimeout: 120_000,
          keepalive: 300,
        });
        client.on('error', () => undefined);
        clients.push({ client, id: device.id, seq: 0, lastTs: 0 });
      } catch (error) {
        failed += 1;
        firstError ??= error.message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return {
    connected: clients.length,
    failed,
    firstError,
    seconds: (performance.now() - started) / 1000,
  };
}

/** A plausible reading: slow noise around a level, and now and then a spike the detector should catch. */
function payload(device, spikeEvery) {
  device.seq += 1;
  device.lastTs = Math.max(Date.now(), device.lastTs + 1); // strictly increasing per device
  const spike = spikeEvery > 0 && device.seq % spikeEvery === 0 && device.seq > 100;
  const temp = spike ? 85 : 21 + Math.round(Math.random() * 20) / 10;
  const hum = 40 + Math.round(Math.random() * 50) / 10;
  return `{"ts":${device.lastTs},"temp":${temp},"hum":${hum}}`;
}

/** flood: `inflight` messages per device, each next one sent on the PUBACK; paced: `rate` msg/s per device. */
async function run({ mode, durationMs, warmupMs = 0, rate, inflight, qos, spikeEvery }) {
  const histogram = hdr.build(HISTOGRAM);
  // Steady state: acks of messages published after the warm-up (JIT, first baselines, buffers).
  const steady = hdr.build(HISTOGRAM);
  const steadyFrom = performance.now() + warmupMs;
  let sent = 0;
  let acked = 0;
  let errors = 0;
  let firstError = null;
  const timers = [];
  let pending = 0;
  /** @type {(value?: unknown) => void} */
  let drained = () => undefined;
  const publishOne = (device, then) => {
    const t0 = performance.now();
    sent += 1;
    pending += 1;
    device.client.publish(
      `devices/${device.id}/telemetry`,
      payload(device, spikeEvery),
      { qos },
      (error) => {
        pending -= 1;
        if (error) {
          errors += 1;
          firstError ??= error.message;
        } else {
          acked += 1;
          const us = Math.max(1, Math.round((performance.now() - t0) * 1000));
          histogram.recordValue(us);
          if (t0 >= steadyFrom) steady.recordValue(us);
        }
        if (pending === 0 && stopping) drained();
        then?.();
      },
    );
  };
  stopping = false;
  if (mode === 'flood') {
    const loop = (device) => !stopping && publishOne(device, () => loop(device));
    for (const device of clients) for (let i = 0; i < inflight; i++) loop(device);
  } else if (mode === 'paced') {
    const everyMs = 1000 / rate;
    for (const device of clients) {
      const start = setTimeout(() => {
        timers.push(setInterval(() => !stopping && publishOne(device), everyMs));
      }, Math.random() * everyMs);
      timers.push(start);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  stopping = true;
  timers.forEach((t) => (clearTimeout(t), clearInterval(t)));
  const stoppedAt = performance.now();
  // Outstanding acks still count: wait for them (bounded), so sent - acked is what really went missing.
  if (pending > 0) {
    let timer;
    await Promise.race([
      new Promise((resolve) => (drained = resolve)),
      new Promise((resolve) => (timer = setTimeout(resolve, 30_000))),
    ]);
    clearTimeout(timer); // a pending timer would keep this process alive after close
  }
  return {
    sent,
    acked,
    errors,
    firstError,
    unacked: pending,
    tailSeconds: (performance.now() - stoppedAt) / 1000,
    histogram: hdr.encodeIntoCompressedBase64(histogram),
    steadyHistogram: hdr.encodeIntoCompressedBase64(steady),
  };
}

process.on('message', async (/** @type {any} */ message) => {
  try {
    if (message.type === 'connect') send({ type: 'connected', ...(await connectAll(message)) });
    else if (message.type === 'run') send({ type: 'ran', ...(await run(message)) });
    else if (message.type === 'close') {
      await Promise.all(clients.map(({ client }) => client.endAsync(true).catch(() => undefined)));
      clients = [];
      send({ type: 'closed' });
      process.disconnect();
    }
  } catch (error) {
    send({ type: 'error', message: error.stack ?? String(error) });
  }
});
