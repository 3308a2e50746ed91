#!/usr/bin/env node
// usage: node bench/tools/auth-flood.mjs [--seconds 10] [--parallel 16] [--rate N] [--no-seed]
// (after `npm run build`; a measurement for a report, not a bench scenario: nothing is asserted)
//
// What a client flooding wrong API keys costs everyone else: one address (127.0.0.3) sends wrong
// keys `--parallel` at a time (at most `--rate` a second, if given) while another (127.0.0.2) makes one valid request after another; it
// prints the valid requests' latency before and during the flood, the flood's answers and rate,
// the gateway's CPU and the machine's load. By default the gateway gets ADMIN_API_KEY (the seed is
// then an argon2id hash the wrong keys could be checked against); --no-seed lets it generate the
// initial admin key, read back from its log.
import { Agent, request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { api, BENCH_ADMIN_KEY, startGateway } from '../lib/gateway.mjs';
import { startInfluxd } from '../lib/influxd.mjs';
import { cpuMicros } from '../lib/proc-stats.mjs';
import { quantile } from '../lib/stats.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    parallel: { type: 'string', default: '16' },
    rate: { type: 'string', default: '0' },
    'no-seed': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const parallel = Number(values.parallel);
const rate = Number(values.rate);
const seeded = !values['no-seed'];

/** One GET from `localAddress` over a kept-alive connection; resolves with status and ms. */
function get(agent, localAddress, port, path, key) {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        localAddress,
        agent,
        headers: { authorization: `Bearer ${key}` },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const summary = (ms) => ({
  n: ms.length,
  p50: +quantile(ms, 0.5).toFixed(2),
  p99: +quantile(ms, 0.99).toFixed(2),
  max: +Math.max(...ms).toFixed(2),
});

async function measureValid(port, key, until) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const ms = [];
  const statuses = {};
  while (Date.now() < until) {
    const { status, ms: took } = await get(agent, '127.0.0.2', port, '/api/v1/keys/me', key);
    statuses[status] = (statuses[status] ?? 0) + 1;
    ms.push(took);
  }
  agent.destroy();
  return { ...summary(ms), statuses };
}

async function floodWrongKeys(port, until) {
  const agent = new Agent({ keepAlive: true, maxSockets: parallel });
  const statuses = {};
  let sent = 0;
  let slot = Date.now();
  const worker = async () => {
    while (Date.now() < until) {
      if (rate > 0) {
        const at = (slot += 1000 / rate);
        if (at > Date.now()) await new Promise((resolve) => setTimeout(resolve, at - Date.now()));
      }
      const wrong = `iag_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
      const { status } = await get(agent, '127.0.0.3', port, '/api/v1/anomalies', wrong);
      statuses[status] = (statuses[status] ?? 0) + 1;
      sent++;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  agent.destroy();
  return { sent, perSecond: Math.round(sent / seconds), statuses };
}

const dir = mkdtempSync(join(tmpdir(), 'iag-auth-flood-'));
const influxd = await startInfluxd(join(dir, 'influxd'));
const gatewayDir = join(dir, 'gateway');
const gateway = await startGateway({
  dataDir: gatewayDir,
  influxUrl: influxd.url,
  database: 'flood',
  env: seeded ? {} : { ADMIN_API_KEY: '' },
});
try {
  const adminKey = seeded
    ? BENCH_ADMIN_KEY
    : /iag_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/.exec(
        readFileSync(join(gatewayDir, 'gateway.log'), 'utf8'),
      )[0];
  const { key } = await api(gateway.httpUrl, '/api/v1/keys', {
    method: 'POST',
    body: { name: 'bystander', role: 'viewer' },
    key: adminKey,
  });
  const port = Number(new URL(gateway.httpUrl).port);
  await measureValid(port, key, Date.now() + 1000); // warm-up
  const idle = await measureValid(port, key, Date.now() + seconds * 1000);
  const cpuBefore = cpuMicros(gateway.pid);
  const until = Date.now() + seconds * 1000;
  const [during, flood] = await Promise.all([
    measureValid(port, key, until),
    floodWrongKeys(port, until),
  ]);
  const cpuPercent = Math.round((cpuMicros(gateway.pid) - cpuBefore) / (seconds * 1e4));
  const report = {
    seeded,
    seconds,
    parallel,
    rate: rate || 'unpaced',
    validLatencyMs: { idle, duringFlood: during },
    flood,
    gatewayCpuPercentDuringFlood: cpuPercent,
    loadavg: loadavg().map((l) => +l.toFixed(2)),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await gateway.stop();
  await influxd.stop();
  rmSync(dir, { recursive: true, force: true });
}
