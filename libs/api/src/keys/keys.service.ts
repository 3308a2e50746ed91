import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { CreateApiKeyBody, Principal, Role } from '@iag/contracts';
import { BrokerService } from '@iag/broker';
import { ApiKeyStore } from '@iag/storage';

export type CreatedApiKey = Awaited<ReturnType<ApiKeyStore['create']>>;
export type ApiKeyView = ReturnType<ApiKeyStore['list']>[number];

/**
 * API key administration; a key can never revoke itself, so an admin cannot lock themself out by accident.
 * Revoking a key also closes the MQTT service sessions opened with it.
 */
@Injectable()
export class KeysService {
  private readonly logger = new Logger(KeysService.name);

  constructor(
    private readonly keys: ApiKeyStore,
    private readonly broker: BrokerService,
  ) {}

  async create(body: CreateApiKeyBody, by: Principal): Promise<CreatedApiKey> {
    const created = await this.keys.create(body.name, body.role as Role);
    this.logger.log(
      `API key ${created.id} (${created.name}, ${created.role}) created by ${by.name}`,
    );
    return created;
  }

  list(): ApiKeyView[] {
    return this.keys.list();
  }

  async revoke(id: string, by: Principal): Promise<void> {
    if (id === by.keyId) {
      throw new ConflictException('an API key cannot revoke itself; use another admin key');
    }
    if (!(await this.keys.revoke(id))) {
      throw new NotFoundException(`API key ${JSON.stringify(id.slice(0, 64))} not found`);
    }
    // Removed first, so a service session that reconnects with the key is refused.
    const sessions = await this.broker.disconnectKey(id);
    this.logger.log(`API key ${id} revoked by ${by.name}; ${sessions} MQTT session(s) closed`);
  }
}
