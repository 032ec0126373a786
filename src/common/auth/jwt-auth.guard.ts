import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error';
import { AccessTokenPayload, AUTH_OPTIONS, AuthOptions, AuthUser, JWT_ALGORITHM } from './auth.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type AuthenticatedRequest = FastifyRequest & { user?: AuthUser };

/**
 * Verifies the Bearer token (HS256 only, so `alg: none` and key-confusion tokens fail), enforces roles,
 * and lets optional routes through without a token (a present but bad token is still refused).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const options = this.reflector.getAllAndOverride<AuthOptions | undefined>(AUTH_OPTIONS, [
      context.getHandler(),
      context.getClass(),
    ]) ?? { roles: [], optional: false };
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) {
      if (options.optional && request.headers.authorization === undefined) return true;
      throw new AppError('UNAUTHENTICATED', 'A valid Bearer token is required');
    }
    const user = await this.verify(token);
    if (options.roles.length > 0 && !options.roles.includes(user.role)) {
      throw new AppError('FORBIDDEN', 'You are not allowed to do this');
    }
    request.user = user;
    return true;
  }

  private async verify(token: string): Promise<AuthUser> {
    try {
      const payload = await this.jwt.verifyAsync<AccessTokenPayload>(token, { algorithms: [JWT_ALGORITHM] });
      // a subject that is not a user id could only be signed with our own key, but must never reach SQL
      if (!UUID.test(String(payload.sub)) || (payload.role !== 'customer' && payload.role !== 'admin')) {
        throw new Error('malformed claims');
      }
      return { id: payload.sub, role: payload.role };
    } catch {
      throw new AppError('UNAUTHENTICATED', 'The token is invalid or expired');
    }
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.?[A-Za-z0-9_.+/=-]*)$/.exec(header?.trim() ?? '');
  return match?.[1];
}
