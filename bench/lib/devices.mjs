// Provisioned bench devices: a registry (DATA_DIR) holding N devices, made once through the REST API and
// kept in the temp dir, so repeated runs do not pay N argon2 hashes again. Each run copies it.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { provisionDevices, startGateway } from './gateway.mjs';

export const deviceIds = (count) =>
  Array.from({ length: count }, (_, i) => `bench-${String(i).padStart(5, '0')}`);

/** Returns { templateDir, devices, provisionSeconds } (provisionSeconds null when it came from the cache). */
export async function provisionedFleet(count, influxUrl) {
  const templateDir = join(tmpdir(), `iag-bench-registry-${count}`);
  const credentials = join(templateDir, 'devices.json');
  if (existsSync(credentials)) {
    return {
      templateDir,
      devices: JSON.parse(readFileSync(credentials, 'utf8')),
      provisionSeconds: null,
    };
  }
  rmSync(templateDir, { recursive: true, force: true });
  const gateway = await startGateway({
    dataDir: templateDir,
    influxUrl,
    database: 'bench_provision',
    env: { LOG_LEVEL: 'warn' },
  });
  try {
    const started = performance.now();
    const devices = await provisionDevices(gateway.httpUrl, deviceIds(count));
    const provisionSeconds = (performance.now() - started) / 1000;
    writeFileSync(credentials, JSON.stringify(devices));
    return { templateDir, devices, provisionSeconds };
  } finally {
    await gateway.stop();
  }
}

/** The gateway of one run, on a fresh DATA_DIR holding the fleet's registry (`options`: startGateway's). */
export function startWithFleet(fleetInfo, dataDir, options) {
  rmSync(dataDir, { recursive: true, force: true });
  cpSync(join(fleetInfo.templateDir, 'registry'), join(dataDir, 'registry'), { recursive: true });
  return startGateway({ dataDir, ...options });
}
