import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error';
import { bearerToken, verifyAccessToken } from './access-token';
import { AUTH_OPTIONS, AuthOptions, AuthUser } from './auth.types';

export type AuthenticatedRequest = FastifyRequest & { user?: AuthUser };

/**
 * Verifies the Bearer token (access-token.ts: HS256, `exp` required), enforces roles,
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
    const user = await verifyAccessToken(this.jwt, token);
    if (user === undefined) throw new AppError('UNAUTHENTICATED', 'The token is invalid or expired');
    return user;
  }
}
