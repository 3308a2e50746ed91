import { z } from 'zod';
import { ROLES, Role } from '@iag/contracts';
import { filterProblem } from './topic-filter';

export const DEVICE_ID_PLACEHOLDER = '{deviceId}';
const PLACEHOLDER = /\{[^}]*\}/g;

/**
 * One rule of an MQTT_ACL file. `topic` is a topic filter (wildcards allowed) in which `{deviceId}`
 * stands for the session's own device id. `role` (service keys only) is the least role the key needs.
 */
const ruleSchema = z
  .object({
    effect: z.enum(['allow', 'deny']),
    principal: z.enum(['device', 'anonymous', 'service', 'any']),
    role: z.enum(ROLES as [Role, ...Role[]]).optional(),
    action: z.enum(['publish', 'subscribe', 'both']),
    topic: z.union([z.string(), z.array(z.string()).min(1)]),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.role !== undefined && rule.principal !== 'service') {
      ctx.addIssue({ code: 'custom', path: ['role'], message: 'only applies to service rules' });
    }
    const topics = typeof rule.topic === 'string' ? [rule.topic] : rule.topic;
    topics.forEach((topic, i) => {
      const problem = topicProblem(topic, rule.principal);
      const path = typeof rule.topic === 'string' ? ['topic'] : ['topic', i];
      if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
    });
  });

export const aclFileSchema = z
  .object({ rules: z.array(ruleSchema) }, { error: 'must be a JSON object with a rules array' })
  .strict();

export type AclFile = z.input<typeof aclFileSchema>;
type ParsedRule = z.output<typeof ruleSchema>;

export interface AclRule {
  effect: 'allow' | 'deny';
  principal: ParsedRule['principal'];
  role?: Role;
  publish: boolean;
  subscribe: boolean;
  topics: string[];
}

export function compileRules(file: z.output<typeof aclFileSchema>): AclRule[] {
  return file.rules.map((rule) => ({
    effect: rule.effect,
    principal: rule.principal,
    role: rule.role,
    publish: rule.action !== 'subscribe',
    subscribe: rule.action !== 'publish',
    topics: typeof rule.topic === 'string' ? [rule.topic] : rule.topic,
  }));
}

function topicProblem(topic: string, principal: ParsedRule['principal']): string | null {
  if (topic.startsWith('$')) return `${JSON.stringify(topic)}: $ topics are reserved to the broker`;
  const placeholders = topic.match(PLACEHOLDER) ?? [];
  const unknown = placeholders.find((p) => p !== DEVICE_ID_PLACEHOLDER);
  if (unknown) return `${JSON.stringify(topic)}: unknown placeholder ${unknown}; only {deviceId}`;
  if (placeholders.length > 0 && principal !== 'device' && principal !== 'anonymous') {
    return `${JSON.stringify(topic)}: {deviceId} needs principal device or anonymous`;
  }
  const problem = filterProblem(topic.replaceAll(DEVICE_ID_PLACEHOLDER, 'x'));
  return problem ? `${JSON.stringify(topic)}: ${problem}` : null;
}
