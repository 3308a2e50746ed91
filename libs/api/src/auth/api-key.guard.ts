import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Principal, Role, roleAllows } from '@iag/contracts';
import { ApiKeyStore } from '@iag/storage';
import type { FastifyReply } from 'fastify';
import { MAX_API_KEY_LENGTH, PUBLIC_METADATA, ROLE_METADATA } from '../api.constants';
import { apiAuthFailures, apiAuthThrottled } from '../api.metrics';
import { AuthFailureThrottle } from './auth-failure-throttle';
import type { AuthenticatedRequest } from './auth.decorators';
import { addressGroup } from './client-address';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Returns the credential of an `Authorization: Bearer <key>` header, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const token = BEARER.exec(header)?.[1];
  return token && token.length <= MAX_API_KEY_LENGTH ? token : null;
}

/**
 * Global guard: resolves the API key to a Principal (401 when missing or unknown) and checks
 * the route's role (403 when too weak). Fails closed: a route without @Roles needs admin.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyStore,
    private readonly throttle: AuthFailureThrottle,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets)) return true;
    const needed =
      this.reflector.getAllAndOverride<Role | undefined>(ROLE_METADATA, targets) ?? 'admin';
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const principal = await this.authenticate(request, http.getResponse<FastifyReply>());
    if (!roleAllows(principal.role, needed)) {
      apiAuthFailures.inc({ reason: 'forbidden' });
      throw new ForbiddenException(
        `this route needs the ${needed} role; the API key "${principal.name}" is ${principal.role}`,
      );
    }
    request.principal = principal;
    return true;
  }

  /**
   * The throttle is asked first, before anything is hashed. A key that checks without argon2
   * (every generated key, and the seed once known) is then served even from a throttled address,
   * so another client's guesses never lock a valid key out. Everything else from a throttled
   * address is a 429. An argon2 check counts against the address before it runs, so parallel
   * guesses cannot overrun the limit.
   */
  private async authenticate(
    request: AuthenticatedRequest,
    reply: FastifyReply,
  ): Promise<Principal> {
    const group = addressGroup(request.ip);
    const retryAfter = this.throttle.retryAfterSeconds(group);
    const token = bearerToken(request.headers.authorization);
    const fast = token === null ? null : this.keys.verifyFast(token);
    if (fast) return fast;
    if (retryAfter > 0) throw tooManyFailures(reply, retryAfter);
    if (token === null) throw unauthorized(reply, 'missing');
    this.throttle.recordFailure(group);
    const principal = fast === undefined ? await this.keys.verify(token) : null;
    if (principal) return principal;
    throw unauthorized(reply, 'invalid');
  }
}

function unauthorized(reply: FastifyReply, reason: 'missing' | 'invalid'): HttpException {
  apiAuthFailures.inc({ reason });
  // RFC 6750 section 3: a 401 names the scheme the client should use.
  reply.header('WWW-Authenticate', 'Bearer realm="iag"');
  return new UnauthorizedException('a valid API key is required: Authorization: Bearer <key>');
}

function tooManyFailures(reply: FastifyReply, retryAfter: number): HttpException {
  apiAuthThrottled.inc();
  reply.header('Retry-After', String(retryAfter));
  return new HttpException(
    `too many failed authentications from this address: retry in ${retryAfter} s`,
    HttpStatus.TOO_MANY_REQUESTS,
  );
}
