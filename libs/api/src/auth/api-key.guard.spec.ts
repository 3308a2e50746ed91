import {
  ExecutionContext,
  ForbiddenException,
  HttpException,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Principal, Role, ROLES } from '@iag/contracts';
import type { ApiKeyStore } from '@iag/storage';
import { ApiKeyGuard, bearerToken } from './api-key.guard';
import { AuthenticatedRequest, Public, Roles } from './auth.decorators';

class Routes {
  @Roles('viewer') read(): void {}
  @Roles('operator') acknowledge(): void {}
  @Roles('admin') provision(): void {}
  undeclared(): void {}
  @Public() health(): void {}
}

@Roles('operator')
class OperatorRoutes {
  inherited(): void {}
  @Roles('viewer') overridden(): void {}
}

const KEYS: Record<string, Principal> = {
  'viewer-secret': { keyId: 'k1', name: 'dashboard', role: 'viewer' },
  'operator-secret': { keyId: 'k2', name: 'on-call', role: 'operator' },
  'admin-secret': { keyId: 'k3', name: 'root', role: 'admin' },
};

function call(target: object, method: string, authorization?: string) {
  const request = {
    headers: authorization === undefined ? {} : { authorization },
  } as AuthenticatedRequest;
  const reply = { header: jest.fn() };
  const context = {
    getHandler: () => (target as Record<string, unknown>)[method],
    getClass: () => target.constructor,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ExecutionContext;
  const store = { verify: jest.fn(async (key: string) => KEYS[key] ?? null) };
  const guard = new ApiKeyGuard(new Reflector(), store as unknown as ApiKeyStore);
  return { result: guard.canActivate(context), request, reply, store };
}

async function statusOf(promise: Promise<boolean>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as HttpException).getStatus();
  }
}

describe(ApiKeyGuard.name, () => {
  const routes = new Routes();
  const needs: Record<string, Role> = {
    read: 'viewer',
    acknowledge: 'operator',
    provision: 'admin',
    undeclared: 'admin',
  };

  describe.each(ROLES)('a %s key', (held) => {
    it.each(Object.keys(needs))('on a route for %s', async (method) => {
      const expected = ROLES.indexOf(held) >= ROLES.indexOf(needs[method]) ? 200 : 403;
      expect(await statusOf(call(routes, method, `Bearer ${held}-secret`).result)).toBe(expected);
    });
  });

  it('attaches the principal to the request', async () => {
    const { result, request } = call(routes, 'acknowledge', 'Bearer operator-secret');
    await expect(result).resolves.toBe(true);
    expect(request.principal).toEqual(KEYS['operator-secret']);
  });

  it('answers 401 with a Bearer challenge for a missing or unknown key', async () => {
    for (const header of [undefined, 'Bearer wrong-secret', 'Basic dXNlcjpwYXNz', 'Bearer']) {
      const { result, reply } = call(routes, 'read', header);
      await expect(result).rejects.toBeInstanceOf(UnauthorizedException);
      expect(reply.header).toHaveBeenCalledWith(
        'WWW-Authenticate',
        expect.stringContaining('Bearer'),
      );
    }
  });

  it('never echoes the presented key', async () => {
    const { result } = call(routes, 'provision', 'Bearer viewer-secret');
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenException);
    expect(JSON.stringify((error as HttpException).getResponse())).not.toContain('viewer-secret');
  });

  it('lets public routes through without asking the key store', async () => {
    const { result, store } = call(routes, 'health');
    await expect(result).resolves.toBe(true);
    expect(store.verify).not.toHaveBeenCalled();
  });

  it('takes the role from the class unless the method overrides it', async () => {
    const operatorRoutes = new OperatorRoutes();
    expect(await statusOf(call(operatorRoutes, 'inherited', 'Bearer viewer-secret').result)).toBe(
      403,
    );
    expect(await statusOf(call(operatorRoutes, 'overridden', 'Bearer viewer-secret').result)).toBe(
      200,
    );
  });
});

describe(bearerToken.name, () => {
  it('reads the credential of a Bearer header, case-insensitively', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer   abc ')).toBe('abc');
  });

  it('refuses other schemes, repeated headers and oversized values', () => {
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken(['Bearer a', 'Bearer b'])).toBeNull();
    expect(bearerToken(`Bearer ${'x'.repeat(513)}`)).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
