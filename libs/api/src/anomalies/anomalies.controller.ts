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
import {
  ApiBearerAuth,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { AnomaliesQuery, anomaliesQuerySchema, Anomaly, Principal } from '@iag/contracts';
import type { FastifyReply } from 'fastify';
import { API_BASE, OPENAPI_BEARER } from '../api.constants';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { anomalyPageSchema, anomalySchema } from '../openapi/response-schemas';
import { ApiErrors, ApiZodQuery, ApiZodResponse } from '../openapi/zod-openapi';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { AnomaliesService, AnomalyPage } from './anomalies.service';
import { AnomalyStreamQuery, anomalyStreamQuerySchema, parseLastEventId } from './anomaly-stream';

const TIME = 'epoch milliseconds or ISO 8601';

@ApiTags('anomalies')
@ApiBearerAuth(OPENAPI_BEARER)
@ApiErrors(HttpStatus.UNAUTHORIZED, HttpStatus.FORBIDDEN, HttpStatus.TOO_MANY_REQUESTS)
@Controller(`${API_BASE}/anomalies`)
export class AnomaliesController {
  constructor(private readonly anomalies: AnomaliesService) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'Anomalies, newest first, one page at a time' })
  @ApiZodQuery(anomaliesQuerySchema, {
    from: TIME,
    to: TIME,
    cursor: 'nextCursor of the previous page',
  })
  @ApiZodResponse(HttpStatus.OK, anomalyPageSchema, 'One page of anomalies')
  @ApiErrors(HttpStatus.BAD_REQUEST)
  find(
    @Query(new ZodValidationPipe(anomaliesQuerySchema)) query: AnomaliesQuery,
  ): Promise<AnomalyPage> {
    return this.anomalies.find(query);
  }

  @Get('stream')
  @Roles('viewer')
  @ApiOperation({
    summary: 'Server-Sent Events: opened, updated and closed anomalies as they happen',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'Events named opened, updated or closed, each with an increasing id; data is the Anomaly as JSON. ' +
      'A `resync` event (no id) means events after Last-Event-ID are no longer kept. ' +
      'At most SSE_MAX_STREAMS_PER_KEY streams per key and SSE_MAX_STREAMS in all (then 429); ' +
      'a stream that takes nothing for SSE_STALL_TIMEOUT_MS is closed: resume with Last-Event-ID.',
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
  @ApiOperation({ summary: 'One anomaly' })
  @ApiZodResponse(HttpStatus.OK, anomalySchema, 'The anomaly')
  @ApiErrors(HttpStatus.NOT_FOUND)
  get(@Param('id') id: string): Promise<Anomaly> {
    return this.anomalies.get(id);
  }

  @Post(':id/acknowledge')
  @HttpCode(HttpStatus.OK)
  @Roles('operator')
  @ApiOperation({ summary: 'Acknowledge an anomaly (records who and when)' })
  @ApiZodResponse(HttpStatus.OK, anomalySchema, 'The updated anomaly')
  @ApiErrors(HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  acknowledge(@Param('id') id: string, @CurrentPrincipal() by: Principal): Promise<Anomaly> {
    return this.anomalies.setStatus(id, 'acknowledged', by);
  }

  @Post(':id/resolve')
  @HttpCode(HttpStatus.OK)
  @Roles('operator')
  @ApiOperation({ summary: 'Resolve an anomaly (records who and when)' })
  @ApiZodResponse(HttpStatus.OK, anomalySchema, 'The updated anomaly')
  @ApiErrors(HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  resolve(@Param('id') id: string, @CurrentPrincipal() by: Principal): Promise<Anomaly> {
    return this.anomalies.setStatus(id, 'resolved', by);
  }
}
