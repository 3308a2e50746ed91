import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeIssues } from '@iag/contracts';
import { BrokerException, BrokerExceptionCode } from '../broker.exception';
import { aclFileSchema, compileRules } from './acl-rules';
import { DEFAULT_ACL } from './default-acl';
import { TopicAcl } from './topic-acl';

export interface LoadedAcl {
  acl: TopicAcl;
  /** What the rules came from, for the start-up log. */
  source: string;
}

/** Reads MQTT_ACL: unset = the built-in rules, `open` = the development preset, else a JSON rules file. */
export function loadTopicAcl(setting: string | undefined): LoadedAcl {
  if (setting === undefined || setting === 'default') {
    return {
      acl: TopicAcl.fromRules(compileRules(aclFileSchema.parse(DEFAULT_ACL))),
      source: 'built-in rules',
    };
  }
  if (setting === 'open') return { acl: TopicAcl.open(), source: 'open preset' };
  const path = resolve(setting);
  const parsed = aclFileSchema.safeParse(readJson(path));
  if (!parsed.success) {
    const problems = describeIssues(parsed.error);
    throw invalid(`MQTT_ACL ${path} is not a valid rules file:\n  - ${problems.join('\n  - ')}`);
  }
  return { acl: TopicAcl.fromRules(compileRules(parsed.data)), source: path };
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw invalid(
      `MQTT_ACL ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(`MQTT_ACL ${path} is not JSON: ${(error as Error).message}`);
  }
}

function invalid(message: string): BrokerException {
  return new BrokerException(BrokerExceptionCode.INVALID_ACL, message);
}
