import { join } from 'node:path';
import { register } from 'tsconfig-paths';

// jest runs globalSetup without the projects' moduleNameMapper, so the libs' own `@iag/<lib>`
// imports would not resolve there; this maps them as tsconfig.json does. Imported first.
register({ baseUrl: join(__dirname, '../..'), paths: { '@iag/*': ['libs/*/src'] } });
