export { BrokerModule } from './broker.module';
export type { BrokerModuleOptions } from './broker.module';
export { BrokerService } from './broker.service';
export { TELEMETRY_SINK, DEVICE_CREDENTIALS, SERVICE_CREDENTIALS } from './broker.constants';
export type {
  TelemetrySink,
  TelemetrySinkResult,
  DeviceCredentials,
  ServiceCredentials,
} from './broker.constants';
export { BrokerException, BrokerExceptionCode } from './broker.exception';
export { TopicAcl } from './acl/topic-acl';
export type { MqttPrincipal } from './auth/mqtt-principal';
export { SERVICE_USERNAME_PREFIX } from './auth/credential-check';
export { MQTT_WS_PATH } from './listeners/websocket-listener';
export { loadTlsMaterial } from './tls/tls-material';
export type { TlsSettings } from './tls/tls-material';
