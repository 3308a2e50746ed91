import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CreateDeviceBody,
  createDeviceSchema,
  DeviceView,
  Principal,
  ProvisionedDevice,
  TelemetryQuery,
  telemetryQuerySchema,
} from '@iag/contracts';
import { API_BASE, OPENAPI_BEARER } from '../api.constants';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import {
  deviceViewSchema,
  provisionedDeviceSchema,
  rotatedTokenSchema,
  telemetryResultSchema,
} from '../openapi/response-schemas';
import { ApiErrors, ApiZodBody, ApiZodQuery, ApiZodResponse } from '../openapi/zod-openapi';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { DevicesService, RotatedToken } from './devices.service';

const TIME = 'epoch milliseconds or ISO 8601';

@ApiTags('devices')
@ApiBearerAuth(OPENAPI_BEARER)
@ApiErrors(HttpStatus.UNAUTHORIZED, HttpStatus.FORBIDDEN, HttpStatus.TOO_MANY_REQUESTS)
@Controller(`${API_BASE}/devices`)
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'Every provisioned device, with its live connection state' })
  @ApiZodResponse(HttpStatus.OK, deviceViewSchema.array(), 'The devices')
  list(): DeviceView[] {
    return this.devices.list();
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'One device' })
  @ApiZodResponse(HttpStatus.OK, deviceViewSchema, 'The device')
  @ApiErrors(HttpStatus.NOT_FOUND)
  get(@Param('id') id: string): DeviceView {
    return this.devices.get(id);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({
    summary: 'Provision a device; the token (its MQTT password) is shown only in this answer',
  })
  @ApiZodBody(createDeviceSchema)
  @ApiZodResponse(HttpStatus.CREATED, provisionedDeviceSchema, 'The device and its token')
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.CONFLICT)
  create(
    @Body(new ZodValidationPipe(createDeviceSchema)) body: CreateDeviceBody,
    @CurrentPrincipal() by: Principal,
  ): Promise<ProvisionedDevice> {
    return this.devices.create(body, by);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Roles('admin')
  @ApiOperation({ summary: 'Revoke a device and disconnect its live sessions' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  remove(@Param('id') id: string, @CurrentPrincipal() by: Principal): Promise<void> {
    return this.devices.remove(id, by);
  }

  @Post(':id/token')
  @HttpCode(HttpStatus.OK)
  @Roles('admin')
  @ApiOperation({
    summary: 'Issue a new token; the old one stops working and live sessions are closed',
  })
  @ApiZodResponse(HttpStatus.OK, rotatedTokenSchema, 'The new token, shown once')
  @ApiErrors(HttpStatus.NOT_FOUND)
  rotateToken(@Param('id') id: string, @CurrentPrincipal() by: Principal): Promise<RotatedToken> {
    return this.devices.rotateToken(id, by);
  }

  @Get(':id/telemetry')
  @Roles('viewer')
  @ApiOperation({ summary: "A device's readings, raw or aggregated into buckets" })
  @ApiZodQuery(telemetryQuerySchema, {
    from: `${TIME}; default one hour before to`,
    to: `${TIME}; default now`,
    metrics: 'comma-separated metric names; default all',
    every: 'bucket width such as 10s, 1m, 1h; default raw readings',
    fn: 'aggregate per bucket',
  })
  @ApiZodResponse(HttpStatus.OK, telemetryResultSchema, 'The series')
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.SERVICE_UNAVAILABLE)
  telemetry(
    @Param('id') id: string,
    @Query(new ZodValidationPipe(telemetryQuerySchema)) query: TelemetryQuery,
  ): ReturnType<DevicesService['telemetryOf']> {
    return this.devices.telemetryOf(id, query);
  }
}
