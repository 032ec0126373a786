import { JwtService } from '@nestjs/jwt';
import { createSecretKey, randomBytes } from 'node:crypto';
import { round } from './util';

export interface JwtVerifyMicro {
  /** µs per verifyAsync with the secret as a string (how the app configures JwtModule) */
  string_secret_us: number;
  /** µs per verifyAsync with the same secret as a KeyObject */
  key_object_us: number;
  iterations: number;
}

async function timePerCall(fn: () => Promise<unknown>, iterations: number): Promise<number> {
  for (let i = 0; i < Math.ceil(iterations / 10); i++) await fn();
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  return Number(process.hrtime.bigint() - started) / 1000 / iterations;
}

/**
 * JWT verification cost per request, as the guard does it (@nestjs/jwt, HS256): jsonwebtoken first
 * tries to parse a string secret as a public key (createPublicKey, which throws) before using it as
 * an HMAC secret; a KeyObject skips that.
 */
export async function jwtVerifyMicro(iterations = 3_000): Promise<JwtVerifyMicro> {
  const secret = randomBytes(32).toString('hex');
  const withString = new JwtService({ secret, verifyOptions: { algorithms: ['HS256'] } });
  const withKey = new JwtService({
    secret: createSecretKey(Buffer.from(secret)),
    verifyOptions: { algorithms: ['HS256'] },
  });
  const token = await withString.signAsync(
    { sub: '0b7f3c1e-8d7a-4f5e-9a51-0c8c9b7f2a11', role: 'customer' },
    { algorithm: 'HS256', expiresIn: 3600 },
  );
  const a: number[] = [];
  const b: number[] = [];
  for (let pass = 0; pass < 2; pass++) {
    a.push(await timePerCall(() => withString.verifyAsync(token), iterations));
    b.push(await timePerCall(() => withKey.verifyAsync(token), iterations));
  }
  return { string_secret_us: round(Math.min(...a), 1), key_object_us: round(Math.min(...b), 1), iterations };
}
