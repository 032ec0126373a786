import type { JwtService } from '@nestjs/jwt';
import { AccessTokenPayload, AuthUser, JWT_ALGORITHM } from './auth.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The token of an `Authorization: Bearer <token>` header. The scheme is case-insensitive (RFC 9110 §11.1:
 * `bearer` and `BEARER` are the same scheme), with one or more spaces before the token.
 */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.?[A-Za-z0-9_.+/=-]*)$/i.exec(
    header?.trim() ?? '',
  );
  return match?.[1];
}

/**
 * The user an access token names, or undefined when it does not verify: HS256 only (so `alg: none` and
 * key-confusion tokens fail), and it must carry `exp` (issue 14: a token without one would never expire,
 * a leaked one would stay valid for good), a user id as subject and a known role.
 */
export async function verifyAccessToken(jwt: JwtService, token: string): Promise<AuthUser | undefined> {
  let payload: Partial<AccessTokenPayload> & { exp?: unknown };
  try {
    payload = await jwt.verifyAsync<AccessTokenPayload & { exp?: unknown }>(token, {
      algorithms: [JWT_ALGORITHM],
    });
  } catch {
    return undefined;
  }
  // a subject that is not a user id could only be signed with our own key, but must never reach SQL
  if (typeof payload.exp !== 'number' || !UUID.test(String(payload.sub))) return undefined;
  if (payload.role !== 'customer' && payload.role !== 'admin') return undefined;
  return { id: String(payload.sub), role: payload.role };
}
