import { DynamicModule, Module, ModuleMetadata, Type } from '@nestjs/common';
import {
  DEVICE_CREDENTIALS,
  DeviceCredentials,
  SERVICE_CREDENTIALS,
  ServiceCredentials,
  TELEMETRY_SINK,
  TelemetrySink,
} from './broker.constants';
import { BrokerService } from './broker.service';

export interface BrokerModuleOptions {
  /** Modules that provide the ports below. */
  imports: ModuleMetadata['imports'];
  telemetrySink: Type<TelemetrySink>;
  deviceCredentials: Type<DeviceCredentials>;
  serviceCredentials: Type<ServiceCredentials>;
}

/** The embedded broker. Global, so the API can look up and disconnect sessions. */
@Module({})
export class BrokerModule {
  static register(options: BrokerModuleOptions): DynamicModule {
    return {
      module: BrokerModule,
      global: true,
      imports: options.imports,
      providers: [
        BrokerService,
        { provide: TELEMETRY_SINK, useExisting: options.telemetrySink },
        { provide: DEVICE_CREDENTIALS, useExisting: options.deviceCredentials },
        { provide: SERVICE_CREDENTIALS, useExisting: options.serviceCredentials },
      ],
      exports: [BrokerService],
    };
  }
}
