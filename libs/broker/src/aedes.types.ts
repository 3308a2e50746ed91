// aedes is ESM-only; its types are imported in import mode so this CommonJS build can use them.
export type {
  Aedes,
  AedesOptions,
  Client,
  PublishPacket,
  AedesPublishPacket,
  AuthenticateError,
  ConnectPacket,
  Subscription,
} from 'aedes' with { 'resolution-mode': 'import' };

/** Loads aedes through a real dynamic import (kept as `import()` under module nodenext). */
export async function loadAedes(): Promise<
  typeof import('aedes', { with: { 'resolution-mode': 'import' } })
> {
  return import('aedes');
}
