import { Injectable } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { Database, Key, open, RootDatabase } from 'lmdb';
import { StorageException, StorageExceptionCode } from '../storage.exception';

export type RegistryDbName =
  'devices' | 'device_metrics' | 'api_keys' | 'anomaly_events' | 'anomaly_index';

/**
 * One lmdb environment for the device registry, devices' metric names, API keys, the anomaly event
 * log and the anomaly index (separate named dbs). lmdb types stay inside this lib; a shared store for several
 * gateways would replace this class.
 */
@Injectable()
export class RegistryStore {
  private root: RootDatabase | undefined;
  private readonly dbs = new Map<RegistryDbName, Database>();

  open(path: string): void {
    if (this.root) return;
    mkdirSync(path, { recursive: true });
    this.root = open({ path, maxDbs: 8 });
  }

  async close(): Promise<void> {
    const root = this.root;
    this.root = undefined;
    this.dbs.clear();
    await root?.close();
  }

  db<V, K extends Key = string>(name: RegistryDbName): Database<V, K> {
    if (!this.root) {
      throw new StorageException(
        StorageExceptionCode.REGISTRY_UNAVAILABLE,
        'the registry is not open',
      );
    }
    let db = this.dbs.get(name);
    if (!db) {
      db = this.root.openDB({ name });
      this.dbs.set(name, db);
    }
    return db as Database<V, K>;
  }
}
