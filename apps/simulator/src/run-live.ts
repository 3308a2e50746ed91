import { fetchFleetAnomalies } from './live/anomaly-feed';
import { FleetRunner } from './live/fleet-runner';
import { finalReport, summaryLine } from './live/fleet-report';
import {
  Credentials,
  GatewayRestClient,
  provisionDevices,
  readTokens,
  saveTokens,
} from './live/provisioner';
import { fleetIds } from './model/simulated-device';
import { SimulatorOptions } from './simulator-cli';

async function credentialsFor(
  o: SimulatorOptions,
  rest: GatewayRestClient | undefined,
): Promise<Credentials> {
  if (o.tokens) {
    const all = await readTokens(o.tokens);
    const wanted = [...all.entries()].slice(0, o.devices);
    if (!wanted.length) throw new Error(`${o.tokens} holds no device tokens`);
    return new Map(wanted);
  }
  if (!rest)
    throw new Error('give --admin-key (or ADMIN_API_KEY) to provision devices, or --tokens FILE');
  const credentials = await provisionDevices(rest, fleetIds(o.devices, o.prefix), o.profile);
  if (o.saveTokens) await saveTokens(o.saveTokens, credentials);
  return credentials;
}

/** The live fleet until --duration or Ctrl-C, with a summary line and a final report. */
export async function runLive(o: SimulatorOptions, out: NodeJS.WritableStream): Promise<void> {
  const rest = o.adminKey ? new GatewayRestClient(o.url, o.adminKey) : undefined;
  const credentials = await credentialsFor(o, rest);
  const ids = new Set(credentials.keys());
  const fleet = new FleetRunner({
    mqttUrl: o.mqtt,
    credentials,
    rate: o.rate,
    faultsPerHour: o.faults ? (o.faultsPerHour ?? 6) : 0,
    warmupReadings: o.warmup,
    seed: o.seed,
  });
  const startedAt = Date.now();
  out.write(
    `simulating ${ids.size} devices at ${o.rate}/s each against ${o.mqtt} (kill -USR2 ${process.pid} injects a fault)\n`,
  );
  fleet.start();
  let anomalies: number | undefined;
  const report = async () => {
    if (rest) anomalies = (await fetchFleetAnomalies(rest, ids, startedAt).catch(() => [])).length;
    out.write(`${summaryLine(fleet.summary(), anomalies)}\n`);
  };
  const timers = [setInterval(() => void report(), o.summaryEvery * 1000)];
  const inject = () => {
    const { deviceId, kind } = fleet.inject();
    out.write(`injected a ${kind} fault on ${deviceId}\n`);
  };
  if (o.faultEvery) timers.push(setInterval(inject, o.faultEvery * 1000));
  process.on('SIGUSR2', inject);
  await new Promise<void>((resolve) => {
    if (o.duration) setTimeout(resolve, o.duration * 1000);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  timers.forEach(clearInterval);
  process.off('SIGUSR2', inject);
  out.write('stopping: sending what is buffered...\n');
  await fleet.stop();
  const seen = rest
    ? await fetchFleetAnomalies(rest, ids, startedAt).catch(() => undefined)
    : undefined;
  out.write(`${finalReport(fleet.report(), seen)}\n`);
}
