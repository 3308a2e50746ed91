import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { GatewayConfig } from '@iag/config';
import { ApiKeyStore } from '@iag/storage';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The banner that shows a generated admin key; stdout only, so it never enters the structured log. */
export function adminKeyBanner(secret: string): string {
  const rule = '='.repeat(72);
  return [
    '',
    rule,
    '  INITIAL ADMIN API KEY (shown once; it will NOT be shown again)',
    '',
    `  ${secret}`,
    '',
    '  Store it now. Use it as:  Authorization: Bearer <key>',
    '  Create more keys with POST /api/v1/keys.',
    rule,
    '',
    '',
  ].join('\n');
}

/** Where a generated key goes when stdout is not a terminal (a log file, journald, a pipe). */
export const INITIAL_ADMIN_KEY_FILE = 'initial-admin-key.txt';

/**
 * First start: make sure an admin key exists (DESIGN.md, REST contract) and hand a generated one
 * over once: on a terminal it is printed; otherwise stdout is probably kept (a log file, the
 * journal), so it goes to a file only this user can read, whose path the log names.
 */
@Injectable()
export class InitialAdminKey implements OnApplicationBootstrap {
  private readonly logger = new Logger(InitialAdminKey.name);

  constructor(
    private readonly keys: ApiKeyStore,
    private readonly config: GatewayConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const seed = this.config.adminApiKey;
    const secret = await this.keys.ensureAdmin(seed);
    if (secret === null) return;
    if (secret === seed) {
      // The operator already holds it; printing would only copy a secret into the console log.
      this.logger.log('admin API key seeded from ADMIN_API_KEY');
      return;
    }
    if (process.stdout.isTTY) {
      process.stdout.write(adminKeyBanner(secret));
      this.logger.log('created the initial admin API key (printed once on stdout)');
      return;
    }
    const path = writePrivate(join(this.config.dataDir, INITIAL_ADMIN_KEY_FILE), `${secret}\n`);
    this.logger.warn(
      `created the initial admin API key; stdout is not a terminal, so it is in ${path} ` +
        '(readable by this user only): read it, store it elsewhere, then delete the file',
    );
  }
}

/** Written whole and 0600 from its first byte (a temp file renamed over any older one). */
function writePrivate(path: string, text: string): string {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, path);
  return path;
}
