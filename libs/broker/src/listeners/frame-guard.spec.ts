import fc from 'fast-check';
import * as mqttPacket from 'mqtt-packet';
import { FrameGuard } from './frame-guard';

const publish = (bytes: number) =>
  mqttPacket.generate({
    cmd: 'publish',
    topic: 'devices/d/telemetry',
    payload: Buffer.alloc(bytes, 0x20),
    qos: 0,
    dup: false,
    retain: false,
  });

describe(FrameGuard.name, () => {
  it('lets a stream of packets under the limit through, however it is split', () => {
    const stream = Buffer.concat([
      publish(10),
      publish(900),
      mqttPacket.generate({ cmd: 'pingreq' }),
      publish(0),
    ]);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 20 }),
        (cuts) => {
          const guard = new FrameGuard(1000);
          const points = [...new Set(cuts)].sort((a, b) => a - b);
          let start = 0;
          for (const end of [...points, stream.length]) {
            if (guard.push(stream.subarray(start, end)) !== null) return false;
            start = end;
          }
          return true;
        },
      ),
    );
  });

  it('stops at the header of a packet over the limit, before its body arrives', () => {
    const guard = new FrameGuard(1000);
    expect(guard.push(publish(100))).toBeNull();
    expect(guard.push(publish(2000).subarray(0, 3))).toMatchObject({ reason: 'packet_too_large' });
  });

  it('refuses the largest Remaining Length MQTT can express (256 MiB)', () => {
    const guard = new FrameGuard(1_000_000);
    expect(guard.push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]))).toMatchObject({
      reason: 'packet_too_large',
    });
  });

  it('refuses a Remaining Length of more than four bytes (MQTT 3.1.1 section 2.2.3)', () => {
    const guard = new FrameGuard(Number.MAX_SAFE_INTEGER);
    expect(guard.push(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]))).toMatchObject({
      reason: 'malformed_length',
    });
  });
});
