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
import { AuthFailureThrottle } from './auth-failure-throttle';
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

/** A generated key: the store answers it without argon2. */
const FAST_KEY = 'iag_000000000001_fast';
const FAST: Principal = { keyId: '000000000001', name: 'bot', role: 'viewer' };

function call(
  target: object,
  method: string,
  authorization?: string,
  options: { throttle?: AuthFailureThrottle; ip?: string } = {},
) {
  const request = {
    headers: authorization === undefined ? {} : { authorization },
    ip: options.ip ?? '192.0.2.1',
  } as AuthenticatedRequest;
  const reply = { header: jest.fn() };
  const context = {
    getHandler: () => (target as Record<string, unknown>)[method],
    getClass: () => target.constructor,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ExecutionContext;
  const store = {
    verifyFast: jest.fn((key: string) => (key === FAST_KEY ? FAST : undefined)),
    verify: jest.fn(async (key: string) => KEYS[key] ?? null),
  };
  const throttle = options.throttle ?? new AuthFailureThrottle({ limit: 20 });
  const guard = new ApiKeyGuard(new Reflector(), store as unknown as ApiKeyStore, throttle);
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

  describe('failed authentications per address', () => {
    it('answers 429 with Retry-After past the limit, without asking the store to verify', async () => {
      const throttle = new AuthFailureThrottle({ limit: 3 });
      for (let n = 0; n < 3; n++) {
        expect(await statusOf(call(routes, 'read', 'Bearer guess', { throttle }).result)).toBe(401);
      }
      const { result, reply, store } = call(routes, 'read', 'Bearer guess', { throttle });
      expect(await statusOf(result)).toBe(429);
      expect(reply.header).toHaveBeenCalledWith('Retry-After', expect.stringMatching(/^\d+$/));
      expect(store.verify).not.toHaveBeenCalled();
      // a right key that needs argon2 (the seed, not yet seen) must wait as well
      expect(
        await statusOf(call(routes, 'read', 'Bearer viewer-secret', { throttle }).result),
      ).toBe(429);
      expect(await statusOf(call(routes, 'read', undefined, { throttle }).result)).toBe(429);
    });

    it('still serves a key that checks without argon2, from the throttled address', async () => {
      const throttle = new AuthFailureThrottle({ limit: 1 });
      await statusOf(call(routes, 'read', 'Bearer guess', { throttle }).result);
      const { result, store } = call(routes, 'read', `Bearer ${FAST_KEY}`, { throttle });
      expect(await statusOf(result)).toBe(200);
      expect(store.verify).not.toHaveBeenCalled();
    });

    it('counts by /64 for IPv6 and leaves other addresses alone', async () => {
      const throttle = new AuthFailureThrottle({ limit: 1 });
      await statusOf(call(routes, 'read', 'Bearer guess', { throttle, ip: '2001:db8::1' }).result);
      const sameNet = call(routes, 'read', 'Bearer guess', { throttle, ip: '2001:db8::2' });
      expect(await statusOf(sameNet.result)).toBe(429);
      const other = call(routes, 'read', 'Bearer viewer-secret', { throttle, ip: '192.0.2.9' });
      expect(await statusOf(other.result)).toBe(200);
    });

    it('counts an argon2 check before it runs, so parallel guesses cannot overrun the limit', async () => {
      const throttle = new AuthFailureThrottle({ limit: 5 });
      const calls = Array.from({ length: 50 }, () =>
        call(routes, 'read', 'Bearer guess', { throttle }),
      );
      const statuses = await Promise.all(calls.map((c) => statusOf(c.result)));
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(45);
      expect(calls.filter((c) => c.store.verify.mock.calls.length > 0)).toHaveLength(5);
    });

    it('does not count a missing key or a wrong role', async () => {
      const throttle = new AuthFailureThrottle({ limit: 1 });
      await statusOf(call(routes, 'read', undefined, { throttle }).result);
      expect(
        await statusOf(call(routes, 'provision', `Bearer ${FAST_KEY}`, { throttle }).result),
      ).toBe(403);
      expect(
        await statusOf(call(routes, 'read', 'Bearer viewer-secret', { throttle }).result),
      ).toBe(200);
    });
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
