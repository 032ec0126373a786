import { createHmac, randomUUID } from 'node:crypto';

/** An HS256 JWT signed by hand, so tests can build expired or forged tokens the service never issues. */
export function signJwt(
  payload: Record<string, unknown>,
  secret: string,
  header: Record<string, unknown> = {},
): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const head = encode({ alg: 'HS256', typ: 'JWT', ...header });
  const body = encode(payload);
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

export function decodeJwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** A sku prefix unique to one test, made of upper-case letters and digits so every collation sorts it alike. */
export function skuPrefix(): string {
  return `C${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
}
