export { ConfigModule } from './config.module';
export { GatewayConfig } from './gateway-config';
export { ConfigException, ConfigExceptionCode } from './config.exception';
export { detectionSettingsFromEnv } from './detection-settings';
export type { DetectionSettings } from './detection-settings';
export { loadEnvFile } from './env-file';
export type { EnvFileResult } from './env-file';
