export { BrokerModule } from './broker.module';
export type { BrokerModuleOptions } from './broker.module';
export { BrokerService } from './broker.service';
export { TELEMETRY_SINK, DEVICE_CREDENTIALS } from './broker.constants';
export type { TelemetrySink, TelemetrySinkResult, DeviceCredentials } from './broker.constants';
export { BrokerException, BrokerExceptionCode } from './broker.exception';
export { TopicAcl } from './acl/topic-acl';
export type { MqttPrincipal } from './acl/topic-acl';
