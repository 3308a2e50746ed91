import { roleAllows } from '@iag/contracts';
import type { MqttPrincipal } from '../auth/mqtt-principal';
import { AclRule, DEVICE_ID_PLACEHOLDER } from './acl-rules';
import { filterCovers, topicMatches } from './topic-filter';

type Test = (pattern: string, request: string) => boolean;

/**
 * Decides what a session may publish, subscribe to and receive. A request is allowed when an allow rule
 * for the principal covers it and no deny rule covers it (deny wins, rule order does not matter); nothing
 * matching means denied. A wildcard subscription that merely overlaps a deny rule is granted, and the
 * denied topics are then withheld message by message (canReceive). `$` topics are the broker's own and
 * never allowed. `open` (development preset) allows everything else.
 */
export class TopicAcl {
  private constructor(private readonly rules: AclRule[] | 'open') {}

  static fromRules(rules: AclRule[]): TopicAcl {
    return new TopicAcl(rules);
  }

  static open(): TopicAcl {
    return new TopicAcl('open');
  }

  isOpen(): boolean {
    return this.rules === 'open';
  }

  /** A topic name: an allow pattern must match it; a matching deny pattern refuses it. */
  canPublish(principal: MqttPrincipal, topic: string): boolean {
    return this.decide(principal, 'publish', topic, topicMatches, topicMatches);
  }

  /** A filter: an allow pattern must cover all it can match; a deny pattern covering it refuses it. */
  canSubscribe(principal: MqttPrincipal, filter: string): boolean {
    return this.decide(principal, 'subscribe', filter, filterCovers, filterCovers);
  }

  /** A message on a granted subscription: withheld when a subscribe deny rule matches its topic. */
  canReceive(principal: MqttPrincipal, topic: string): boolean {
    if (this.rules === 'open') return true;
    for (const rule of this.rules) {
      if (rule.effect !== 'deny' || !rule.subscribe || !applies(rule, principal)) continue;
      if (rule.topics.some((pattern) => topicMatches(expand(pattern, principal), topic)))
        return false;
    }
    return true;
  }

  private decide(
    principal: MqttPrincipal,
    action: 'publish' | 'subscribe',
    request: string,
    allows: Test,
    denies: Test,
  ): boolean {
    if (request.startsWith('$')) return false;
    if (this.rules === 'open') return true;
    let allowed = false;
    for (const rule of this.rules) {
      if (!rule[action] || !applies(rule, principal)) continue;
      for (const pattern of rule.topics) {
        const expanded = expand(pattern, principal);
        if (rule.effect === 'deny' && denies(expanded, request)) return false;
        if (rule.effect === 'allow' && !allowed) allowed = allows(expanded, request);
      }
    }
    return allowed;
  }
}

function applies(rule: AclRule, principal: MqttPrincipal): boolean {
  if (rule.principal !== 'any' && rule.principal !== principal.kind) return false;
  if (rule.role === undefined) return true;
  return principal.kind === 'service' && roleAllows(principal.role, rule.role);
}

function expand(pattern: string, principal: MqttPrincipal): string {
  return principal.kind === 'service'
    ? pattern
    : pattern.replaceAll(DEVICE_ID_PLACEHOLDER, principal.deviceId);
}
