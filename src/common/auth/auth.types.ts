import type { UserRole } from '../../database/schema';

/** What a verified access token says about its bearer. */
export interface AuthUser {
  id: string;
  role: UserRole;
}

export interface AccessTokenPayload {
  sub: string;
  role: UserRole;
}

export const JWT_ALGORITHM = 'HS256';

export const AUTH_OPTIONS = 'auth:options';

export interface AuthOptions {
  roles: UserRole[];
  optional: boolean;
}
