import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { register } from 'prom-client';
import { Public } from '../auth/auth.decorators';
import { Health, healthSchema, readinessSchema } from '@iag/contracts';
import { ApiZodResponse } from '../openapi/zod-openapi';
import { ReadinessService } from './readiness.service';

/** Probes and metrics; public, at the root (not under /api/v1). */
@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('health')
  @ApiOperation({ operationId: 'getHealth', summary: 'Liveness: the process answers' })
  @ApiZodResponse(HttpStatus.OK, healthSchema, 'Alive')
  health(): Health {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }

  @Get('ready')
  @ApiOperation({
    operationId: 'getReadiness',
    summary:
      'Readiness: InfluxDB reachable, detector loaded, spool draining (degraded: with the spool depth)',
  })
  @ApiZodResponse(HttpStatus.OK, readinessSchema, 'Ready')
  @ApiZodResponse(HttpStatus.SERVICE_UNAVAILABLE, readinessSchema, 'Degraded')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const readiness = await this.readiness.check();
    // @Res() because the status depends on the result (Nest would otherwise force 200).
    await reply
      .status(readiness.status === 'ready' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .send(readiness);
  }

  @Get('metrics')
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics (text exposition format)',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Metrics, names prefixed iag_' })
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    await reply.header('Content-Type', register.contentType).send(await register.metrics());
  }
}
