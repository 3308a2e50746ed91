#!/usr/bin/env node
// A QoS 0 flood in a process of its own: N anonymous publishers (client id = `${prefix}-i`), each
// writing telemetry on devices/<id>/telemetry as fast as its socket takes it (it waits only for
// 'drain'), for a while. Prints one JSON line: {"sent": messages written, "closed": publishers
// whose connection the broker closed}.
// usage: node bench/lib/qos0-flood-worker.mjs --port P [--publishers 1000] [--seconds 15] [--prefix flood]
import mqtt from 'mqtt';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    publishers: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '15' },
    prefix: { type: 'string', default: 'flood' },
  },
});
const count = Number(values.publishers);
const url = `mqtt://${values.host}:${values.port}`;

async function connectAll() {
  const clients = [];
  for (let start = 0; start < count; start += 100) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 100); i++) {
      batch.push(
        mqtt.connectAsync(url, {
          clientId: `${values.prefix}-${i}`,
          protocolVersion: 4,
          reconnectPeriod: 0,
          connectTimeout: 30_000,
          keepalive: 0,
        }),
      );
    }
    clients.push(...(await Promise.all(batch)));
  }
  for (const client of clients) client.on('error', () => undefined);
  return clients;
}

function flood(client, until) {
  return new Promise((resolve) => {
    const topic = `devices/${client.options.clientId}/telemetry`;
    let sent = 0;
    // each reading carries its own time: readings of one device stamped on arrival within one
    // millisecond would be one InfluxDB point (same series and time)
    const base = Date.now() - 3_600_000;
    const finish = (closed) => resolve({ sent, closed });
    const onClose = () => finish(true);
    client.stream.once('close', onClose);
    const pump = () => {
      while (Date.now() < until && !client.stream.destroyed) {
        const reading = `{"ts":${base + sent},"temp":${20 + (sent % 10) / 10},"n":${sent}}`;
        client.publish(topic, reading, { qos: 0 });
        sent++;
        if (client.stream.writableNeedDrain) {
          client.stream.once('drain', () => setImmediate(pump));
          return;
        }
      }
      client.stream.off('close', onClose);
      finish(false);
    };
    setImmediate(pump);
  });
}

const clients = await connectAll();
process.stderr.write(`flood: ${clients.length} publishers connected\n`);
const results = await Promise.all(
  clients.map((client) => flood(client, Date.now() + Number(values.seconds) * 1000)),
);
const summary = {
  sent: results.reduce((sum, r) => sum + r.sent, 0),
  closed: results.filter((r) => r.closed).length,
};
await Promise.all(clients.map((client) => client.endAsync(true).catch(() => undefined)));
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(0);
