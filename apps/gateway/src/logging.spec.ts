import { PassThrough } from 'node:stream';
import pino from 'pino';
import { GatewayConfig } from '@iag/config';
import { chooseLogFormat, gatewayLogOptions, prettyStream } from './logging';

describe(chooseLogFormat.name, () => {
  it('is pretty for a terminal and JSON for anything else, unless told', () => {
    expect(chooseLogFormat('auto', true)).toBe('pretty');
    expect(chooseLogFormat('auto', false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });
});

describe(prettyStream.name, () => {
  it('prints redacted lines: pino censors before the prettifier sees them', () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    const logger = pino(gatewayLogOptions(GatewayConfig.fromEnv({})), prettyStream(out));
    logger.info(
      { context: 'ApiKeyGuard', req: { headers: { authorization: 'Bearer s3cret-key' } } },
      'refused',
    );
    const text = chunks.join('');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[ApiKeyGuard\] refused /);
    expect(text).toContain('"authorization":"[redacted]"');
    expect(text).not.toContain('s3cret-key');
  });
});
