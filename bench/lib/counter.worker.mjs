// The reference broker's one subscriber: receives every telemetry message (QoS 0) and counts it, so
// Mosquitto does comparable routing work (in once, out once) to what the gateway does with a message.
import mqtt from 'mqtt';

const [url] = process.argv.slice(2);
let received = 0;
const client = await mqtt.connectAsync(url, {
  clientId: 'bench-counter',
  protocolVersion: 4,
  reconnectPeriod: 0,
});
client.on('message', () => (received += 1));
await client.subscribeAsync('devices/+/telemetry', { qos: 0 });
process.send({ type: 'subscribed' });
process.on('message', async (/** @type {{ type: string }} */ message) => {
  if (message.type === 'count') process.send({ type: 'count', received });
  if (message.type === 'close') {
    await client.endAsync(true);
    process.disconnect();
  }
});
