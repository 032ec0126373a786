import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, eq, gt, isNull, SQL, sql } from 'drizzle-orm';
import { emailVerificationTokens, UserRow, users } from '../../database/schema';
import { Placeholders, statement } from '../../database/statement';
import { TxHost } from '../../database/transaction';

export type NewUser = Pick<UserRow, 'email' | 'passwordHash'> &
  Partial<Pick<UserRow, 'firstName' | 'lastName' | 'phone' | 'role' | 'emailVerifiedAt'>>;

@Injectable()
export class UsersRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /**
   * Checkout's guest condition, as part of its placement statement (database/dependent-write.ts): true
   * when no account uses the email in placeholder `guestEmail` (lower case), or when it is null.
   */
  guestEmailFree(): SQL {
    const email = sql`${sql.placeholder('guestEmail')}::text`;
    return sql`(${email} is null or not exists (select 1 from ${users} where lower(${users.email}) = ${email}))`;
  }

  /** Every guest checkout asks whether its email belongs to an account (contract §6): prepared. */
  static readonly byEmail = statement('user_by_email', (db, p: Placeholders<{ email: string }>) =>
    db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${p.email}`),
  );

  async findByEmail(email: string): Promise<UserRow | undefined> {
    const [row] = await UsersRepository.byEmail.run(this.txHost, { email: email.toLowerCase() });
    return row;
  }

  async findById(id: string): Promise<UserRow | undefined> {
    const [row] = await this.txHost.tx.select().from(users).where(eq(users.id, id));
    return row;
  }

  /** Inserts a user; a taken email surfaces as the unique violation users_email_lower_key. */
  async insert(user: NewUser): Promise<UserRow> {
    const [row] = await this.txHost.tx.insert(users).values(user).returning();
    return row;
  }

  /** Inserts unless the email exists (concurrent start-ups of several instances). */
  async insertIfAbsent(user: NewUser): Promise<boolean> {
    const rows = await this.txHost.tx
      .insert(users)
      .values(user)
      .onConflictDoNothing()
      .returning({ id: users.id });
    return rows.length > 0;
  }

  async markEmailVerified(userId: string, at: Date): Promise<UserRow | undefined> {
    const [row] = await this.txHost.tx
      .update(users)
      .set({
        emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${at.toISOString()}::timestamptz)`,
        updatedAt: at,
      })
      .where(eq(users.id, userId))
      .returning();
    return row;
  }

  async insertVerificationToken(userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.txHost.tx.insert(emailVerificationTokens).values({ userId, tokenHash, expiresAt });
  }

  /** Spends a token in one conditional update: unused, unexpired, and only once whatever the concurrency. */
  async consumeVerificationToken(tokenHash: string, now: Date): Promise<string | undefined> {
    const [row] = await this.txHost.tx
      .update(emailVerificationTokens)
      .set({ usedAt: now })
      .where(
        and(
          eq(emailVerificationTokens.tokenHash, tokenHash),
          isNull(emailVerificationTokens.usedAt),
          gt(emailVerificationTokens.expiresAt, now),
        ),
      )
      .returning({ userId: emailVerificationTokens.userId });
    return row?.userId;
  }
}
