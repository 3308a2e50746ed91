import 'reflect-metadata';
import { ConfigException, GatewayConfig, loadEnvFile } from '@iag/config';
import { createGateway, RunningGateway } from './gateway';
import { StopSignals } from './stop-signals';

/**
 * SIGTERM / SIGINT: the ingestor stops acknowledging, the listeners close, the spool drains to
 * InfluxDB for up to SHUTDOWN_FLUSH_MS (the rest stays spooled for the next start), exit 0.
 * The copies one Ctrl-C sends are one request (stop-signals.ts); a signal a second or more
 * after the first exits at once.
 */
function stopOnSignals(gateway: RunningGateway): void {
  const signals = new StopSignals();
  const stop = (signal: NodeJS.Signals) => {
    const decision = signals.receive(Date.now());
    if (decision === 'echo') return;
    if (decision === 'force') {
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    process.stdout.write(
      `IoT Anomaly Gateway stopping (${signal}); a second Ctrl-C exits without waiting\n`,
    );
    gateway.close().then(
      () => {
        process.stdout.write('IoT Anomaly Gateway stopped\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${(error as Error).stack ?? String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** `.env` of the working directory under the environment (which wins), then the one schema. */
function readConfig(): GatewayConfig {
  const file = loadEnvFile();
  if (file.path) {
    const overridden = file.overridden.length
      ? `; the environment overrides ${file.overridden.join(', ')}`
      : '';
    const applied = file.applied.join(', ') || 'nothing new';
    process.stdout.write(`settings from ${file.path}: ${applied}${overridden}\n`);
  }
  return GatewayConfig.fromEnv();
}

async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = readConfig();
  } catch (error) {
    if (error instanceof ConfigException) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const gateway = await createGateway(config);
  stopOnSignals(gateway);
  const host = config.bindHost === '0.0.0.0' ? '127.0.0.1' : config.bindHost;
  const http = `${gateway.httpScheme}://${host}:${gateway.httpPort}`;
  const mqtt = gateway.mqttPort ? `mqtt://${host}:${gateway.mqttPort}` : 'off';
  const mqtts = gateway.mqttsPort ? `  MQTTS mqtts://${host}:${gateway.mqttsPort}` : '';
  const ws = gateway.httpScheme === 'https' ? 'wss' : 'ws';
  process.stdout.write(
    `IoT Anomaly Gateway ready: MQTT ${mqtt}${mqtts}  ` +
      `MQTT/WebSocket ${ws}://${host}:${gateway.httpPort}/mqtt  HTTP ${http} (docs at /docs)\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
