import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { ErrorBody } from '@iag/contracts';
import { DetectionException, DetectionExceptionCode } from '@iag/detection';
import { StorageException, StorageExceptionCode } from '@iag/storage';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';

const STORAGE_STATUS: Partial<Record<StorageExceptionCode, HttpStatus>> = {
  [StorageExceptionCode.NOT_FOUND]: HttpStatus.NOT_FOUND,
  [StorageExceptionCode.DEVICE_EXISTS]: HttpStatus.CONFLICT,
  [StorageExceptionCode.INVALID_TRANSITION]: HttpStatus.CONFLICT,
  [StorageExceptionCode.INVALID_CURSOR]: HttpStatus.BAD_REQUEST,
  [StorageExceptionCode.INFLUX_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [StorageExceptionCode.REGISTRY_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
};

const DETECTION_STATUS: Partial<Record<DetectionExceptionCode, HttpStatus>> = {
  [DetectionExceptionCode.MODEL_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [DetectionExceptionCode.INVALID_MODEL]: HttpStatus.UNPROCESSABLE_ENTITY,
};

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/**
 * Maps an error to the REST error body, or returns null when it is unexpected (a 500).
 * Pure, so the mapping is unit-tested without a server.
 */
export function toErrorBody(exception: unknown): ErrorBody | null {
  if (exception instanceof HttpException) return fromHttpException(exception);
  if (exception instanceof StorageException) {
    const status = STORAGE_STATUS[exception.code];
    if (status === undefined) return null;
    // Unavailability details (addresses, causes) are for the log, not the client.
    const message =
      status === HttpStatus.SERVICE_UNAVAILABLE
        ? 'storage is unavailable; try again later'
        : exception.message;
    return errorBody(status, message);
  }
  if (exception instanceof DetectionException) {
    const status = DETECTION_STATUS[exception.code];
    return status === undefined ? null : errorBody(status, exception.message);
  }
  // Fastify's own request errors (malformed JSON, unsupported media type, body too large).
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  if (exception instanceof Error && typeof status === 'number' && status >= 400 && status < 500) {
    return errorBody(status, exception.message);
  }
  return null;
}

function fromHttpException(exception: HttpException): ErrorBody {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const raw =
    typeof response === 'object' && response !== null
      ? (response as { message?: unknown }).message
      : response;
  const message = Array.isArray(raw)
    ? raw.join('; ')
    : typeof raw === 'string'
      ? raw
      : exception.message;
  return errorBody(status, message);
}

/** Global filter: every REST error answers {statusCode, error, message}; the unexpected is logged and hidden. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    let body = toErrorBody(exception);
    if (body === null) {
      const error = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(
        `${request.method} ${request.url.split('?')[0]} failed: ${error.message}`,
        error.stack,
      );
      body = errorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'internal server error');
    } else if (body.statusCode >= 500) {
      this.logger.warn(
        `${request.method} ${request.url.split('?')[0]} -> ${body.statusCode}: ${(exception as Error).message}`,
      );
    }
    // An SSE stream that already sent its headers can only be closed.
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    reply.status(body.statusCode).send(body);
  }
}
