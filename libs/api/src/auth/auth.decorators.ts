import {
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import type { Principal, Role } from '@iag/contracts';
import type { FastifyRequest } from 'fastify';
import { PUBLIC_METADATA, ROLE_METADATA } from '../api.constants';

/** A request that passed the API key guard carries who made it. */
export interface AuthenticatedRequest extends FastifyRequest {
  principal?: Principal;
}

/** The least role a route needs (viewer < operator < admin). Routes without it need admin. */
export const Roles = (role: Role) => SetMetadata(ROLE_METADATA, role);

/** Open without an API key (health, readiness, metrics). */
export const Public = () => SetMetadata(PUBLIC_METADATA, true);

/** The Principal of the API key that made the request. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    // Only reachable on a route marked @Public() by mistake.
    if (!principal) throw new UnauthorizedException('a valid API key is required');
    return principal;
  },
);
