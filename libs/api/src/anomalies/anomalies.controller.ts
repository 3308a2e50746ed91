import {
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AnomaliesQuery,
  anomaliesQuerySchema,
  Anomaly,
  anomalyPageSchema,
  anomalySchema,
  AnomalyStreamQuery,
  anomalyStreamQuerySchema,
  Page,
  Principal,
} from '@iag/contracts';
import type { FastifyReply } from 'fastify';
import { API_BASE, OPENAPI_BEARER } from '../api.constants';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { ApiBodyErrors, ApiErrors, ApiZodQuery, ApiZodResponse } from '../openapi/zod-openapi';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { AnomaliesService } from './anomalies.service';
import { parseLastEventId } from './anomaly-stream';

const TIME = 'epoch milliseconds or ISO 8601';

@ApiTags('anomalies')
@ApiBearerAuth(OPENAPI_BEARER)
@ApiErrors(
  HttpStatus.UNAUTHORIZED,
  HttpStatus.FORBIDDEN,
  HttpStatus.TOO_MANY_REQUESTS,
  HttpStatus.SERVICE_UNAVAILABLE,
)
@Controller(`${API_BASE}/anomalies`)
export class AnomaliesController {
  constructor(private readonly anomalies: AnomaliesService) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({
    operationId: 'listAnomalies',
    summary: 'Anomalies, newest first, one page at a time',
  })
  @ApiZodQuery(anomaliesQuerySchema, { from: TIME, to: TIME })
  @ApiZodResponse(HttpStatus.OK, anomalyPageSchema, 'One page of anomalies')
  @ApiErrors(HttpStatus.BAD_REQUEST)
  find(
    @Query(new ZodValidationPipe(anomaliesQuerySchema)) query: AnomaliesQuery,
  ): Promise<Page<Anomaly>> {
    return this.anomalies.find(query);
  }

  @Get('stream')
  @Roles('viewer')
  @ApiOperation({
    operationId: 'streamAnomalies',
    summary: 'Server-Sent Events: opened, updated and closed anomalies as they happen',
  })
  @ApiOkResponse({
    description:
      'Events named opened, updated or closed (schema AnomalyEventType), each with an increasing id; ' +
      'data is the Anomaly (schema Anomaly) as one line of JSON. ' +
      'A `resync` event (no id; data: schema AnomalyStreamResync) means events after Last-Event-ID ' +
      'are no longer kept: reload the list. ' +
      'At most SSE_MAX_STREAMS_PER_KEY streams per key and SSE_MAX_STREAMS in all (then 429); ' +
      'a stream that takes nothing for SSE_STALL_TIMEOUT_MS is closed: resume with Last-Event-ID.',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'Resume: the kept events after this id are sent first, without a gap',
  })
  @ApiZodQuery(anomalyStreamQuerySchema)
  @ApiErrors(HttpStatus.BAD_REQUEST)
  stream(
    @Query(new ZodValidationPipe(anomalyStreamQuerySchema)) query: AnomalyStreamQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @CurrentPrincipal() by: Principal,
    @Res() reply: FastifyReply,
  ): void {
    this.anomalies.stream(reply, by, query, parseLastEventId(lastEventId));
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ operationId: 'getAnomaly', summary: 'One anomaly' })
  @ApiZodResponse(HttpStatus.OK, anomalySchema, 'The anomaly')
  @ApiErrors(HttpStatus.NOT_FOUND)
  get(@Param('id') id: string): Promise<Anomaly> {
    return this.anomalies.get(id);
  }

  @Post(':id/acknowledge')
  @HttpCode(HttpStatus.OK)
  @Roles('operator')
  @ApiOperation({
    operationId: 'acknowledgeAnomaly',
    summary: 'Acknowledge an anomaly (records who and when); again: no change',
  })
  @ApiZodResponse(HttpStatus.OK, anomalySchema, 'The updated anomaly')
  @ApiErrors(HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  @ApiBodyErrors()
  acknowledge(@Param('id') id: string, @CurrentPrincipal() by: Principal): Promise<Anomaly> {
    return this.anomalies.setStatus(id, 'acknowledged', by);
  }

  @Post(':id/resolve')
  @HttpCode(HttpStatus.OK)
  @Roles('operator')
  @ApiOperation({
    operationId: 'resolveAnomaly',
    summary: 'Resolve an anomaly (records who and when); again: no change',
  })
  @ApiZodResponse(HttpStatus.OK, anomalySchema, 'The updated anomaly')
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ApiBodyErrors()
  resolve(@Param('id') id: string, @CurrentPrincipal() by: Principal): Promise<Anomaly> {
    return this.anomalies.setStatus(id, 'resolved', by);
  }
}
