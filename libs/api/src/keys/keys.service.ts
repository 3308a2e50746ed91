import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import {
  ApiKeyView,
  CreateApiKeyBody,
  CreatedApiKey,
  KeyPageQuery,
  Page,
  pageByKey,
  Principal,
} from '@iag/contracts';
import { BrokerService } from '@iag/broker';
import { ApiKeyStore } from '@iag/storage';

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
    const created = await this.keys.create(body.name, body.role);
    this.logger.log(
      `API key ${created.id} (${created.name}, ${created.role}) created by ${by.name}`,
    );
    return created;
  }

  /** Oldest first (creation time, then id): the few keys an installation has, read whole. */
  list(query: KeyPageQuery): Page<ApiKeyView> {
    return pageByKey(this.keys.list(), (key) => `${key.createdAt} ${key.id}`, query);
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
