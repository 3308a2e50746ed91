import {
  ArgumentsHost,
  BadRequestException,
  HttpException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { StorageException, StorageExceptionCode } from '@iag/storage';
import { ApiExceptionFilter, toErrorBody } from './api-exception.filter';

function fakeHost(sent = false) {
  const reply = {
    sent,
    raw: { headersSent: sent, end: jest.fn() },
    status: jest.fn().mockReturnThis(),
    send: jest.fn().mockReturnThis(),
  };
  const host = {
    switchToHttp: () => ({
      getRequest: () => ({ method: 'GET', url: '/api/v1/x' }),
      getResponse: () => reply,
    }),
  } as unknown as ArgumentsHost;
  return { host, reply };
}

describe(ApiExceptionFilter.name, () => {
  it('keeps the status and message of HTTP exceptions', () => {
    expect(toErrorBody(new NotFoundException('device "x" not found'))).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'device "x" not found',
    });
    expect(toErrorBody(new HttpException('slow down', 429))).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'slow down',
    });
  });

  it('joins a list of messages into one string', () => {
    expect(toErrorBody(new BadRequestException(['a: bad', 'b: worse']))?.message).toBe(
      'a: bad; b: worse',
    );
  });

  it.each([
    [StorageExceptionCode.NOT_FOUND, 404],
    [StorageExceptionCode.DEVICE_EXISTS, 409],
    [StorageExceptionCode.INVALID_TRANSITION, 409],
    [StorageExceptionCode.INVALID_CURSOR, 400],
    [StorageExceptionCode.INFLUX_UNAVAILABLE, 503],
    [StorageExceptionCode.REGISTRY_UNAVAILABLE, 503],
  ])('maps storage code %s to %i', (code, status) => {
    expect(toErrorBody(new StorageException(code, 'detail'))?.statusCode).toBe(status);
  });

  it('hides the cause of an unavailable store from the client', () => {
    const body = toErrorBody(
      new StorageException(StorageExceptionCode.INFLUX_UNAVAILABLE, 'ECONNREFUSED 10.0.0.5:8086'),
    );
    expect(body?.message).not.toContain('10.0.0.5');
  });

  it('keeps the 4xx status of Fastify request errors', () => {
    const mediaType = Object.assign(new Error('Unsupported Media Type: text/plain'), {
      statusCode: 415,
    });
    expect(toErrorBody(mediaType)).toEqual({
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: 'Unsupported Media Type: text/plain',
    });
  });

  it('treats everything else as unexpected', () => {
    expect(toErrorBody(new Error('boom'))).toBeNull();
    expect(toErrorBody(Object.assign(new Error('upstream'), { statusCode: 502 }))).toBeNull();
    expect(
      toErrorBody(new StorageException(StorageExceptionCode.INFLUXD_START_FAILED, 'x')),
    ).toBeNull();
    expect(toErrorBody('a string')).toBeNull();
  });

  it('answers a generic 500 and logs the stack', () => {
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { host, reply } = fakeHost();
    new ApiExceptionFilter().catch(new TypeError('secret internals'), host);
    expect(reply.status).toHaveBeenCalledWith(500);
    expect(reply.send).toHaveBeenCalledWith({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal server error',
    });
    expect(log).toHaveBeenCalledWith(
      expect.stringContaining('secret internals'),
      expect.stringContaining('TypeError'),
    );
    log.mockRestore();
  });

  it('sends the mapped body with its status', () => {
    const { host, reply } = fakeHost();
    new ApiExceptionFilter().catch(
      new StorageException(StorageExceptionCode.DEVICE_EXISTS, 'device exists'),
      host,
    );
    expect(reply.status).toHaveBeenCalledWith(409);
    expect(reply.send).toHaveBeenCalledWith({
      statusCode: 409,
      error: 'Conflict',
      message: 'device exists',
    });
  });

  it('only closes a response whose headers are already out (a running SSE stream)', () => {
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { host, reply } = fakeHost(true);
    new ApiExceptionFilter().catch(new Error('stream broke'), host);
    expect(reply.send).not.toHaveBeenCalled();
    expect(reply.raw.end).toHaveBeenCalled();
    log.mockRestore();
  });
});
