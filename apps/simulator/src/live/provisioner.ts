import { readFile, writeFile } from 'node:fs/promises';

export type Credentials = Map<string, string>;

/** A small client of the gateway's REST API, with the admin key the simulator was given. */
export class GatewayRestClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
}

/**
 * Provisions each device through POST /api/v1/devices; a device that already exists (a previous
 * run) gets a fresh token through POST /api/v1/devices/{id}/token. Needs an admin key.
 */
export async function provisionDevices(
  rest: GatewayRestClient,
  ids: string[],
  profile: string,
): Promise<Credentials> {
  const credentials: Credentials = new Map();
  for (const id of ids) {
    let answer = await rest.request<{ token?: string; message?: string }>(
      'POST',
      '/api/v1/devices',
      {
        id,
        profile,
      },
    );
    if (answer.status === 409) {
      answer = await rest.request('POST', `/api/v1/devices/${encodeURIComponent(id)}/token`);
    }
    if (answer.status >= 300 || !answer.body?.token) {
      throw new Error(
        `provisioning ${id} failed: HTTP ${answer.status} ${answer.body?.message ?? ''}`.trim(),
      );
    }
    credentials.set(id, answer.body.token);
  }
  return credentials;
}

/**
 * Reads device tokens from a file: a JSON object `{"id": "token"}` or lines `id,token`
 * (the format --save-tokens writes is JSON).
 */
export async function readTokens(file: string): Promise<Credentials> {
  const text = (await readFile(file, 'utf8')).trim();
  if (text.startsWith('{')) {
    return new Map(Object.entries(JSON.parse(text) as Record<string, string>));
  }
  const credentials: Credentials = new Map();
  for (const line of text.split(/\r?\n/)) {
    const [id, token] = line.split(/[,\s]+/, 2);
    if (id && token && !line.startsWith('#')) credentials.set(id, token);
  }
  return credentials;
}

/** Writes tokens so a later run can use --tokens instead of the admin key (mode 0600). */
export async function saveTokens(file: string, credentials: Credentials): Promise<void> {
  await writeFile(file, `${JSON.stringify(Object.fromEntries(credentials), null, 2)}\n`, {
    mode: 0o600,
  });
}
