import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { dirname, sep } from 'node:path';
import { DetectionException, DetectionExceptionCode } from '../detection.exception';

/** `auto` tries tfjs-node (only when installed), then wasm, then cpu. */
export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

let selected: Promise<string> | null = null;

/**
 * Selects the TF.js backend once per process and returns its name. tfjs-node is never a dependency
 * (its install downloads libtensorflow): it is used only when `require.resolve` finds it.
 */
export function initTfBackend(
  preference: BackendPreference = 'auto',
  log: (message: string) => void = () => undefined,
): Promise<string> {
  selected ??= select(preference, log).catch((error: unknown) => {
    selected = null;
    throw error;
  });
  return selected;
}

async function select(preference: BackendPreference, log: (m: string) => void): Promise<string> {
  const order: Exclude<BackendPreference, 'auto'>[] =
    preference === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [preference];
  const failures: string[] = [];
  for (const name of order) {
    try {
      if (await tryBackend(name)) {
        log(`TF.js backend: ${name}${failures.length ? ` (${failures.join('; ')})` : ''}`);
        return name;
      }
      failures.push(`${name} unavailable`);
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message}`);
    }
  }
  throw new DetectionException(
    DetectionExceptionCode.BACKEND_UNAVAILABLE,
    `no TF.js backend could start: ${failures.join('; ')}`,
  );
}

async function tryBackend(name: Exclude<BackendPreference, 'auto'>): Promise<boolean> {
  if (name === 'tensorflow') {
    if (!isInstalled('@tensorflow/tfjs-node')) return false;
    // An optional package, never a dependency: loaded only when installed. It registers 'tensorflow'.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-node');
  }
  if (name === 'wasm') {
    // The .wasm files ship in the package's dist folder; point the loader there instead of a CDN.
    setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}${sep}`);
  }
  const ok = await tf.setBackend(name);
  if (ok) await tf.ready();
  return ok && tf.getBackend() === name;
}

function isInstalled(moduleName: string): boolean {
  try {
    require.resolve(moduleName);
    return true;
  } catch {
    return false;
  }
}
