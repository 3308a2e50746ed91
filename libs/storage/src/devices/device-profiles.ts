import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeIssues, metricNameProblem, PROFILE_NAME_PATTERN } from '@iag/contracts';
import { StorageException, StorageExceptionCode } from '../storage.exception';

/** Profile name -> the only metric names its devices may send. */
export type DeclaredProfiles = ReadonlyMap<string, ReadonlySet<string>>;

/** At most this many names per profile: the point of declaring is a short list. */
export const MAX_DECLARED_METRICS = 1000;

const metricName = z.string().superRefine((name, ctx) => {
  const problem = metricNameProblem(name);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

const profileSchema = z
  .object({
    metrics: z
      .array(metricName)
      .min(1, 'declare at least one metric')
      .max(MAX_DECLARED_METRICS)
      .refine((names) => new Set(names).size === names.length, 'lists a metric twice'),
  })
  .strict();

/** A DEVICE_PROFILES file: `{"profiles": {"thermostat": {"metrics": ["temp", "hum"]}}}`. */
export const profilesFileSchema = z
  .object(
    {
      profiles: z.record(z.string(), profileSchema).superRefine((profiles, ctx) => {
        for (const name of Object.keys(profiles)) {
          if (PROFILE_NAME_PATTERN.test(name)) continue;
          const message = `a profile name must match ${PROFILE_NAME_PATTERN.source}`;
          ctx.addIssue({ code: 'custom', path: [name], message });
        }
      }),
    },
    { error: 'must be a JSON object with a profiles object' },
  )
  .strict();

/** Reads and checks DEVICE_PROFILES; unset = no profile declares its metrics. */
export function loadDeclaredProfiles(path: string | undefined): DeclaredProfiles {
  if (path === undefined) return new Map();
  const parsed = profilesFileSchema.safeParse(readJson(path));
  if (!parsed.success) {
    const problems = describeIssues(parsed.error);
    throw invalid(
      `DEVICE_PROFILES ${path} is not a valid profiles file:\n  - ${problems.join('\n  - ')}`,
    );
  }
  return new Map(
    Object.entries(parsed.data.profiles).map(([name, { metrics }]) => [name, new Set(metrics)]),
  );
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw invalid(`DEVICE_PROFILES ${path} cannot be read (${code})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(`DEVICE_PROFILES ${path} is not JSON: ${(error as Error).message}`);
  }
}

function invalid(message: string): StorageException {
  return new StorageException(StorageExceptionCode.INVALID_PROFILES, message);
}
