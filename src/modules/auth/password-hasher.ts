import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

// OWASP's argon2id profile (19 MiB, 2 passes, 1 lane): strong, and cheap enough for a 2-core box.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  hash(password: string): Promise<string> {
    return argon2.hash(password, OPTIONS);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  /** Spends the same work as a real check, so "no such user" and "wrong password" take equally long. */
  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash('timing-equaliser-not-a-password');
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
