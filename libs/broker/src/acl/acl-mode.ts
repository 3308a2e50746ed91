import { BrokerException, BrokerExceptionCode } from '../broker.exception';
import { AclMode } from './topic-acl';

/** Reads MQTT_ACL: unset = the default rules, `open` = the development preset. */
export function aclModeFrom(setting: string | undefined): AclMode {
  if (setting === undefined || setting === 'default') return 'default';
  if (setting === 'open') return 'open';
  throw new BrokerException(
    BrokerExceptionCode.UNSUPPORTED_ACL,
    `MQTT_ACL=${setting}: ACL rule files are not supported yet; use 'open' or leave it unset`,
  );
}
