import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** The compiled gateway (`npm run build`; `npm run bench` rebuilds it when sources changed). */
export const DIST = join(ROOT, 'dist/apps/gateway');
export const GATEWAY_MAIN = join(DIST, 'apps/gateway/src/main.js');
export const RESULTS_DIR = join(ROOT, 'bench/results');
