import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { UserRole } from '../../database/schema';
import { ApiErrors } from '../swagger/api-responses';
import { AUTH_OPTIONS, AuthOptions, AuthUser } from './auth.types';
import { AuthenticatedRequest, JwtAuthGuard } from './jwt-auth.guard';

/** Requires a valid Bearer token, and one of `roles` when given (401 without, 403 with the wrong role). */
export function Auth(...roles: UserRole[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(AUTH_OPTIONS, { roles, optional: false } satisfies AuthOptions),
    UseGuards(JwtAuthGuard),
    ApiBearerAuth(),
    roles.length > 0 ? ApiErrors('UNAUTHENTICATED', 'FORBIDDEN') : ApiErrors('UNAUTHENTICATED'),
  );
}

/** Accepts a request without a token; a token that is present must be valid. */
export function OptionalAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(AUTH_OPTIONS, { roles: [], optional: true } satisfies AuthOptions),
    UseGuards(JwtAuthGuard),
    // OpenAPI's optional auth: no requirement ({}) or a Bearer token
    ApiSecurity({}),
    ApiBearerAuth(),
    ApiErrors('UNAUTHENTICATED'),
  );
}

/** The authenticated user (or undefined on an OptionalAuth route without a token). */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthUser | undefined =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().user,
);
