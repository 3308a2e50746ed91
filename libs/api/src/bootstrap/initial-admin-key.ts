import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { GatewayConfig } from '@iag/config';
import { ApiKeyStore } from '@iag/storage';

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

/** First start: make sure an admin key exists (DESIGN.md, REST contract) and print a generated one once. */
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
    process.stdout.write(adminKeyBanner(secret));
    this.logger.log('created the initial admin API key (printed once on stdout)');
  }
}
