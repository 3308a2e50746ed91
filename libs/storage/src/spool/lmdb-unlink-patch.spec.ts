import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * patches/lmdb+*.patch (applied by `postinstall: patch-package`) unlinks each committed write's
 * resolution from lmdb's list. Without it, one resolution that reaches V8's old generation keeps
 * every later one alive through scavenges until a mark-compact: the spool's writes were then
 * ~half of what the gateway promoted (issue 7). This fails when node_modules missed the patch.
 */
describe('the lmdb unlink patch', () => {
  const cjsEntry = require.resolve('lmdb');
  const packageDir = join(dirname(cjsEntry), '..');

  it.each([
    ['the CommonJS build the gateway loads', cjsEntry],
    ['the ES module source', join(packageDir, 'write.js')],
  ])('is applied to %s', (_what, file) => {
    const source = readFileSync(file, 'utf8');
    expect(source).toContain('resolved.next = resolved.nextTxn = null;');
  });
});
