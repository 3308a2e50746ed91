import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { PublishHooks } from '../hooks/publish.hooks';
import type { Done, TelemetryAdmission } from '../hooks/telemetry-admission';
import { TelemetryAudience } from '../hooks/telemetry-audience';
import { TelemetryLane } from './telemetry-lane';

const ALLOWED = { topic: 'devices/d1/telemetry', deviceId: 'd1', key: 'device:d1' };

/** Pure unit tests of the lane's bookkeeping against a stand-in for an aedes Client. */
function setup(admit: (done: Done) => void, flushed = true) {
  const parser = new EventEmitter();
  const toAedes = jest.fn();
  parser.on('packet', toAedes);
  const client = {
    _parser: parser,
    _parsingBatch: 0,
    _nextBatch: jest.fn(),
    _keepaliveInterval: -1,
    _keepaliveTimer: null,
    connackSent: true,
    connected: true,
    connecting: false,
    errored: false,
    version: 4,
    conn: { write: jest.fn(() => flushed) },
    waitForDrain: jest.fn(),
    broker: { publish: jest.fn() },
  };
  const hooks = {
    laneTelemetry: (_c: unknown, packet: { qos: number }) =>
      packet.qos === 1 ? ALLOWED : undefined,
  } as unknown as PublishHooks;
  const admission = { admit: (_a: unknown, _p: unknown, done: Done) => admit(done) };
  const lane = new TelemetryLane(hooks, admission as TelemetryAdmission, new TelemetryAudience());
  lane.attach({ client } as unknown as Duplex);
  const publish = (qos: 0 | 1, messageId = 0x1234) =>
    parser.emit('packet', { cmd: 'publish', topic: ALLOWED.topic, qos, messageId, payload: '' });
  return { client, toAedes, publish, parser };
}

describe('TelemetryLane', () => {
  it('acknowledges once admitted, with one 4-byte PUBACK, and ends the packet', () => {
    let admitted: Done = () => undefined;
    const { client, publish, toAedes } = setup((done) => (admitted = done));
    publish(1);
    expect(client._parsingBatch).toBe(1);
    expect(client.conn.write).not.toHaveBeenCalled(); // the sink has not answered
    admitted(null);
    expect(client.conn.write).toHaveBeenCalledWith(Buffer.from([0x40, 0x02, 0x12, 0x34]));
    expect(client._nextBatch).toHaveBeenCalledWith();
    expect(client.broker.publish).not.toHaveBeenCalled(); // nobody subscribed
    expect(toAedes).not.toHaveBeenCalled();
  });

  it('waits for the socket to drain before ending the packet when the PUBACK was buffered', () => {
    let admitted: Done = () => undefined;
    const { client, publish } = setup((done) => (admitted = done), false);
    publish(1);
    admitted(null);
    expect(client.waitForDrain).toHaveBeenCalledTimes(1);
    expect(client._nextBatch).not.toHaveBeenCalled();
    client.waitForDrain.mock.calls[0][0](null);
    expect(client._nextBatch).toHaveBeenCalledWith();
  });

  it('sends no PUBACK and ends the packet with the error when the sink refuses', () => {
    let admitted: Done = () => undefined;
    const { client, publish } = setup((done) => (admitted = done));
    const error = new Error('spool unavailable');
    publish(1);
    admitted(error);
    expect(client.conn.write).not.toHaveBeenCalled();
    expect(client._nextBatch).toHaveBeenCalledWith(error);
  });

  it("defers a decision made at once, so aedes's parser is not re-entered", async () => {
    const { client, publish } = setup((done) => done(null));
    publish(1);
    expect(client._nextBatch).not.toHaveBeenCalled();
    expect(client._parsingBatch).toBe(1);
    await Promise.resolve();
    expect(client.conn.write).toHaveBeenCalledTimes(1);
    expect(client._nextBatch).toHaveBeenCalledTimes(1);
  });

  it('leaves other packets, QoS 0, and a session not yet acknowledged, to aedes', () => {
    const { client, publish, toAedes, parser } = setup((done) => done(null));
    parser.emit('packet', { cmd: 'pingreq' });
    publish(0);
    client.connackSent = false;
    publish(1);
    expect(toAedes).toHaveBeenCalledTimes(3);
    expect(client._parsingBatch).toBe(0);
  });
});
