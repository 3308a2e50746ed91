import 'reflect-metadata';
import { ConfigException, GatewayConfig } from '@iag/config';
import { createGateway } from './gateway';

async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = GatewayConfig.fromEnv();
  } catch (error) {
    if (error instanceof ConfigException) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const gateway = await createGateway(config);
  const host = config.bindHost === '0.0.0.0' ? '127.0.0.1' : config.bindHost;
  const http = `${gateway.httpScheme}://${host}:${gateway.httpPort}`;
  const mqtts = gateway.mqttsPort ? `  MQTTS mqtts://${host}:${gateway.mqttsPort}` : '';
  const ws = gateway.httpScheme === 'https' ? 'wss' : 'ws';
  process.stdout.write(
    `IoT Anomaly Gateway ready: MQTT mqtt://${host}:${gateway.mqttPort}${mqtts}  ` +
      `MQTT/WebSocket ${ws}://${host}:${gateway.httpPort}/mqtt  HTTP ${http} (docs at /docs)\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
