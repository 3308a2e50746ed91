import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { BrokerService } from '@iag/broker';
import {
  CreateDeviceBody,
  DeviceView,
  KeyPageQuery,
  keyCursor,
  Page,
  Principal,
  ProvisionedDevice,
  RotatedToken,
  TelemetryQuery,
  TelemetrySeries,
  toPage,
} from '@iag/contracts';
import { DetectionService } from '@iag/detection';
import { DeviceMetricNames, DeviceRegistry, TelemetryRepository } from '@iag/storage';
import { toDeviceView } from './device-view.mapper';

/** Device provisioning and lookups for REST; revocation also ends live MQTT sessions. */
@Injectable()
export class DevicesService {
  private readonly logger = new Logger(DevicesService.name);

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly telemetry: TelemetryRepository,
    private readonly metricNames: DeviceMetricNames,
    private readonly broker: BrokerService,
    private readonly detection: DetectionService,
  ) {}

  /** Devices by id; the cursor is the last id of the previous page. */
  list(query: KeyPageQuery): Page<DeviceView> {
    const records = this.registry.listAfter(query.after, query.limit + 1);
    const views = records.map((record) => toDeviceView(record, this.broker.isConnected(record.id)));
    return toPage(views, query.limit, (last) => keyCursor(last.id));
  }

  get(id: string): DeviceView {
    const record = this.registry.get(id);
    if (!record) throw deviceNotFound(id);
    return toDeviceView(record, this.broker.isConnected(id));
  }

  async create(body: CreateDeviceBody, by: Principal): Promise<ProvisionedDevice> {
    const device = await this.registry.create(body.id, body.profile);
    this.logger.log(`device ${device.id} provisioned by ${by.name}`);
    return device;
  }

  async remove(id: string, by: Principal): Promise<void> {
    if (!(await this.registry.remove(id))) throw deviceNotFound(id);
    // Removed first, so a reconnect after the disconnect is refused; its persistent sessions go too.
    const sessions = await this.broker.revokeDevice(id);
    this.detection.forgetDevice(id);
    this.logger.log(`device ${id} removed by ${by.name}; ${sessions} session(s) closed`);
  }

  async rotateToken(id: string, by: Principal): Promise<RotatedToken> {
    if (!this.registry.exists(id)) throw deviceNotFound(id);
    const token = await this.registry.rotateToken(id);
    const sessions = await this.broker.disconnectDevice(id);
    this.logger.log(`device ${id} token rotated by ${by.name}; ${sessions} session(s) closed`);
    return { id, token };
  }

  telemetryOf(id: string, query: TelemetryQuery): Promise<TelemetrySeries> {
    if (!this.registry.exists(id)) throw deviceNotFound(id);
    return this.telemetry.query(id, query, this.metricNames.of(id));
  }
}

function deviceNotFound(id: string): NotFoundException {
  return new NotFoundException(`device ${JSON.stringify(id.slice(0, 64))} not found`);
}
