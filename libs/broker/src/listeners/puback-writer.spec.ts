import { PassThrough } from 'node:stream';
// The module object itself, which aedes calls through; a namespace import would be a read-only copy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import mqttPacket = require('mqtt-packet');
import { installSinglePubackWrite } from './puback-writer';

/** What writeToStream put on a stream, once its cork is released. */
async function written(packet: mqttPacket.Packet): Promise<{ bytes: Buffer; writes: number }> {
  const stream = new PassThrough();
  let writes = 0;
  const write = stream.write.bind(stream);
  stream.write = ((chunk: Buffer) => {
    writes++;
    return write(chunk);
  }) as typeof stream.write;
  mqttPacket.writeToStream(packet, stream);
  await new Promise((resolve) => process.nextTick(resolve));
  return { bytes: stream.read() as Buffer, writes };
}

describe(installSinglePubackWrite.name, () => {
  beforeAll(() => installSinglePubackWrite());

  it('writes a PUBACK as the bytes mqtt-packet generates, in one write', async () => {
    for (const messageId of [0, 1, 255, 256, 4660, 65535]) {
      const packet = { cmd: 'puback', messageId } as mqttPacket.IPubackPacket;
      const { bytes, writes } = await written(packet);
      expect(bytes).toEqual(mqttPacket.generate(packet));
      expect(writes).toBe(1);
    }
  });

  it('leaves every other packet to mqtt-packet', async () => {
    const pubrec = { cmd: 'pubrec', messageId: 7 } as mqttPacket.IPubrecPacket;
    expect((await written(pubrec)).bytes).toEqual(mqttPacket.generate(pubrec));
    const publish = {
      cmd: 'publish',
      topic: 'a/b',
      payload: Buffer.from('x'),
      qos: 0,
      dup: false,
      retain: false,
    } as mqttPacket.IPublishPacket;
    expect((await written(publish)).bytes).toEqual(mqttPacket.generate(publish));
  });
});
