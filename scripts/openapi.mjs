#!/usr/bin/env node
// Rewrites openapi.json from the running app: boots a test gateway (with the suite's own influxd)
// through the drift test, which writes the document it was served instead of comparing it.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const jest = spawnSync(
  'npm',
  ['run', 'jest', '--', '--selectProjects', 'e2e', '--testPathPatterns', 'openapi-document'],
  { cwd: root, stdio: 'inherit', env: { ...process.env, IAG_WRITE_OPENAPI: '1' } },
);
process.exit(jest.status ?? 1);
