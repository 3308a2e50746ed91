import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Principal, Role, roleAllows } from '@iag/contracts';
import { ApiKeyStore } from '@iag/storage';
import type { FastifyReply } from 'fastify';
import { MAX_API_KEY_LENGTH, PUBLIC_METADATA, ROLE_METADATA } from '../api.constants';
import { apiAuthFailures } from '../api.metrics';
import type { AuthenticatedRequest } from './auth.decorators';

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

  private async authenticate(
    request: AuthenticatedRequest,
    reply: FastifyReply,
  ): Promise<Principal> {
    const token = bearerToken(request.headers.authorization);
    const principal = token === null ? null : await this.keys.verify(token);
    if (principal) return principal;
    apiAuthFailures.inc({ reason: token === null ? 'missing' : 'invalid' });
    // RFC 6750 section 3: a 401 names the scheme the client should use.
    reply.header('WWW-Authenticate', 'Bearer realm="iag"');
    throw new UnauthorizedException('a valid API key is required: Authorization: Bearer <key>');
  }
}
