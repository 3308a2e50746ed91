import { Command, Option } from 'commander';
import { ModelPage, ModelView, PAGE_LIMIT_MAX } from '@iag/contracts';
import { listModelDirs, readModelMetadata, toModelView } from '@iag/detection';
import { resolve } from 'node:path';
import { TrainerError } from '../trainer-error';

interface GatewayOptions {
  url: string;
  key?: string;
}

const urlOption = () =>
  new Option('--url <url>', "the gateway's HTTP address")
    .env('GATEWAY_URL')
    .default('http://127.0.0.1:3000');
const keyOption = () =>
  new Option('--key <key>', 'an API key (admin to activate)').env('IAG_API_KEY');

export function listCommand(): Command {
  return new Command('list')
    .description(
      'List model versions: from the local registry, or from a running gateway with --url (shows which are active)',
    )
    .addOption(
      new Option('--models-dir <dir>', 'model registry root').env('MODELS_DIR').default('models'),
    )
    .option('--remote', 'ask the gateway at --url instead of reading --models-dir', false)
    .addOption(urlOption())
    .addOption(keyOption())
    .option('--json', 'print JSON', false)
    .action(
      async (options: GatewayOptions & { modelsDir: string; remote: boolean; json: boolean }) => {
        const models = options.remote
          ? await remoteModels(options)
          : await localModels(options.modelsDir);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
          return;
        }
        if (models.length === 0) process.stdout.write('no models\n');
        for (const m of models) {
          const active = 'active' in m && m.active ? ' (active)' : '';
          const f1 =
            m.evaluation && typeof m.evaluation.f1 === 'number'
              ? ` f1=${m.evaluation.f1.toFixed(3)}`
              : '';
          process.stdout.write(
            `${m.name}/${m.version}${active}  features=${m.features.join(',')} window=${m.windowSize} threshold=${m.threshold.toPrecision(4)} ${m.normalization}${f1}  ${m.createdAt}\n`,
          );
        }
      },
    );
}

export function activateCommand(): Command {
  return new Command('activate')
    .description(
      'Make a model version score live traffic on a running gateway (hot swap, no connection dropped)',
    )
    .argument('<name>', 'model name, e.g. default')
    .argument('<version>', 'version, e.g. 2')
    .addOption(urlOption())
    .addOption(keyOption())
    .action(async (name: string, version: string, options: GatewayOptions) => {
      const view = await callGateway<ModelView>(
        options,
        'POST',
        `/api/v1/models/${encodeURIComponent(name)}/${encodeURIComponent(version)}/activate`,
      );
      process.stdout.write(`${view.name}/${view.version} is active\n`);
    });
}

/** The local registry; `active` is unknown offline (only a running gateway knows), so it is left out. */
async function localModels(modelsDir: string): Promise<Omit<ModelView, 'active'>[]> {
  const views: Omit<ModelView, 'active'>[] = [];
  for (const { dir } of listModelDirs(resolve(modelsDir))) {
    const { active: _unknown, ...view } = toModelView(await readModelMetadata(dir), false);
    views.push(view);
  }
  return views;
}

/** Every version the gateway lists, page after page. */
async function remoteModels(options: GatewayOptions): Promise<ModelView[]> {
  const models: ModelView[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: String(PAGE_LIMIT_MAX) });
    if (cursor) query.set('cursor', cursor);
    const page: ModelPage = await callGateway(options, 'GET', `/api/v1/models?${query}`);
    models.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return models;
}

async function callGateway<T>(options: GatewayOptions, method: string, path: string): Promise<T> {
  if (!options.key) throw new TrainerError('an API key is needed: --key or IAG_API_KEY');
  let response: Response;
  try {
    response = await fetch(new URL(path, options.url), {
      method,
      headers: { authorization: `Bearer ${options.key}` },
    });
  } catch (error) {
    throw new TrainerError(
      `cannot reach the gateway at ${options.url}: ${(error as Error).cause ?? (error as Error).message}`,
    );
  }
  const body = (await response.json().catch(() => null)) as { message?: string } | null;
  if (!response.ok)
    throw new TrainerError(
      `gateway answered ${response.status}: ${body?.message ?? response.statusText}`,
    );
  return body as T;
}
