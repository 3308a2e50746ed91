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
  devicePageSchema,
  DeviceView,
  deviceViewSchema,
  KeyPageQuery,
  keyPageQuerySchema,
  Page,
  Principal,
  ProvisionedDevice,
  provisionedDeviceSchema,
  RotatedToken,
  rotatedTokenSchema,
  TelemetryQuery,
  telemetryQuerySchema,
  TelemetrySeries,
  telemetrySeriesSchema,
} from '@iag/contracts';
import { API_BASE, OPENAPI_BEARER } from '../api.constants';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import {
  ApiBodyErrors,
  ApiErrors,
  ApiZodBody,
  ApiZodQuery,
  ApiZodResponse,
} from '../openapi/zod-openapi';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { DevicesService } from './devices.service';

const TIME = 'epoch milliseconds or ISO 8601';

@ApiTags('devices')
@ApiBearerAuth(OPENAPI_BEARER)
@ApiErrors(
  HttpStatus.UNAUTHORIZED,
  HttpStatus.FORBIDDEN,
  HttpStatus.TOO_MANY_REQUESTS,
  HttpStatus.SERVICE_UNAVAILABLE,
)
@Controller(`${API_BASE}/devices`)
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({
    operationId: 'listDevices',
    summary: 'Provisioned devices by id, with their live connection state, one page at a time',
  })
  @ApiZodQuery(keyPageQuerySchema)
  @ApiZodResponse(HttpStatus.OK, devicePageSchema, 'One page of devices')
  @ApiErrors(HttpStatus.BAD_REQUEST)
  list(@Query(new ZodValidationPipe(keyPageQuerySchema)) query: KeyPageQuery): Page<DeviceView> {
    return this.devices.list(query);
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ operationId: 'getDevice', summary: 'One device' })
  @ApiZodResponse(HttpStatus.OK, deviceViewSchema, 'The device')
  @ApiErrors(HttpStatus.NOT_FOUND)
  get(@Param('id') id: string): DeviceView {
    return this.devices.get(id);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({
    operationId: 'provisionDevice',
    summary: 'Provision a device; the token (its MQTT password) is shown only in this answer',
  })
  @ApiZodBody(createDeviceSchema)
  @ApiZodResponse(HttpStatus.CREATED, provisionedDeviceSchema, 'The device and its token')
  @ApiErrors(HttpStatus.CONFLICT)
  @ApiBodyErrors()
  create(
    @Body(new ZodValidationPipe(createDeviceSchema)) body: CreateDeviceBody,
    @CurrentPrincipal() by: Principal,
  ): Promise<ProvisionedDevice> {
    return this.devices.create(body, by);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Roles('admin')
  @ApiOperation({
    operationId: 'revokeDevice',
    summary: 'Revoke a device and disconnect its live sessions',
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  remove(@Param('id') id: string, @CurrentPrincipal() by: Principal): Promise<void> {
    return this.devices.remove(id, by);
  }

  @Post(':id/token')
  @HttpCode(HttpStatus.OK)
  @Roles('admin')
  @ApiOperation({
    operationId: 'rotateDeviceToken',
    summary: 'Issue a new token; the old one stops working and live sessions are closed',
  })
  @ApiZodResponse(HttpStatus.OK, rotatedTokenSchema, 'The new token, shown once')
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ApiBodyErrors()
  rotateToken(@Param('id') id: string, @CurrentPrincipal() by: Principal): Promise<RotatedToken> {
    return this.devices.rotateToken(id, by);
  }

  @Get(':id/telemetry')
  @Roles('viewer')
  @ApiOperation({
    operationId: 'getDeviceTelemetry',
    summary: "A device's readings, raw or aggregated into buckets",
  })
  @ApiZodQuery(telemetryQuerySchema, {
    from: `${TIME}; default one hour before to`,
    to: `${TIME}; default now`,
    metrics: 'comma-separated metric names; default all',
    every: 'bucket width such as 10s, 1m, 1h; default raw readings',
    fn: 'aggregate per bucket',
  })
  @ApiZodResponse(HttpStatus.OK, telemetrySeriesSchema, 'The series')
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  telemetry(
    @Param('id') id: string,
    @Query(new ZodValidationPipe(telemetryQuerySchema)) query: TelemetryQuery,
  ): Promise<TelemetrySeries> {
    return this.devices.telemetryOf(id, query);
  }
}
