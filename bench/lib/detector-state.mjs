// What a detector keeps per device, measured two ways: the typed state it reports (the
// multivariate detector's stateBytes) and the V8 heap it grows by, per device, after a forced GC.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

function heapUsed() {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Readings of `metrics` correlated metrics (a shared load plus noise), one device. */
export function correlatedReading(metrics, i, device, random = Math.random) {
  const load = Math.sin(i / 9) + 0.2 * (random() - 0.5);
  const values = {};
  for (let j = 0; j < metrics; j++) {
    values[`m${j}`] =
      Math.round((10 * (j + 1) + device / 100 + (j + 1) * load + random() - 0.5) * 1000) / 1000;
  }
  return values;
}

/**
 * Heap bytes per device of `create()`'s detector after `readings` readings each of `metrics`
 * metrics over `devices` devices, and (when it reports one) its own typed-state figure.
 */
export async function statePerDevice(create, { devices, metrics, readings }) {
  const before = heapUsed();
  const detector = create();
  const t0 = Date.now() - 30 * 86_400_000;
  for (let i = 0; i < readings; i++) {
    const batch = [];
    for (let d = 0; d < devices; d++) {
      batch.push({
        deviceId: `dev-${d}`,
        reading: { ts: t0 + i * 60_000, values: correlatedReading(metrics, i, d) },
      });
    }
    await detector.scoreBatch(batch);
  }
  const heap = (heapUsed() - before) / devices;
  const typed = typeof detector.stateBytes === 'function' ? detector.stateBytes('dev-0') : null;
  return { heap, typed, keep: detector };
}
