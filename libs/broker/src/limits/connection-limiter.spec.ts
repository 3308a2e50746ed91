import { PassThrough } from 'node:stream';
import { ConnectionLimiter } from './connection-limiter';

describe(ConnectionLimiter.name, () => {
  it('hands sockets on up to the cap, closes the rest at once, and frees a slot on close', () => {
    const limiter = new ConnectionLimiter(2);
    const handled: PassThrough[] = [];
    const handle = limiter.guard((socket: PassThrough) => handled.push(socket));
    const sockets = [new PassThrough(), new PassThrough(), new PassThrough()];
    sockets.forEach((socket) => handle(socket));

    expect(handled).toEqual(sockets.slice(0, 2));
    expect(sockets[2].destroyed).toBe(true);
    expect(limiter.connections).toBe(2);

    sockets[0].destroy();
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        expect(limiter.connections).toBe(1);
        const next = new PassThrough();
        handle(next);
        expect(handled).toContain(next);
        resolve();
      }),
    );
  });
});
