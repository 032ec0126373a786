import { Inject, Injectable } from '@nestjs/common';
import type { SQLWrapper } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../common/errors/app-error';
import { Clock } from '../../common/util/clock';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { CartRow, GuestSessionRow } from '../../database/schema';
import { GuestSessionsRetentionRepository } from './guest-sessions-retention.repository';
import { GuestSessionsRepository, TouchedSessionWithCart } from './guest-sessions.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Guest sessions: creation, sliding expiry, and the 404/410 rules (contract §4). */
@Injectable()
export class GuestSessionService {
  constructor(
    private readonly sessions: GuestSessionsRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    private readonly retention: GuestSessionsRetentionRepository,
  ) {}

  /** A new session; randomUUID is a v4 UUID from the CSPRNG. */
  create(): Promise<GuestSessionRow> {
    const now = this.clock.now();
    return this.sessions.insert(randomUUID(), now, this.expiryFrom(now));
  }

  /** The active session with its expiry moved forward; 404 when unknown, 410 when expired. */
  async touch(id: string): Promise<GuestSessionRow> {
    const now = this.clock.now();
    return (await this.sessions.touchIfActive(id, now, this.expiryFrom(now))) ?? this.notActive(id);
  }

  /**
   * A read of the session with its cart, lines and products, in one statement (GET guest cart). The
   * expiry slides as on touch(), but at most once per GUEST_SESSION_TOUCH_INTERVAL_SECONDS (contract §4).
   */
  async readWithCart(id: string): Promise<TouchedSessionWithCart> {
    const now = this.clock.now();
    const touchBefore = new Date(now.getTime() - this.config.guestSessionTouchIntervalSeconds * 1000);
    return (
      (await this.sessions.readWithCart(id, now, this.expiryFrom(now), touchBefore)) ?? this.notActive(id)
    );
  }

  /**
   * readWithCart for a checkout, which is a write: the expiry always slides. The cart is not locked;
   * the checkout's placement writes only if the cart is still the version read here.
   */
  async touchWithCart(id: string): Promise<TouchedSessionWithCart> {
    const now = this.clock.now();
    return (await this.sessions.readWithCart(id, now, this.expiryFrom(now), now)) ?? this.notActive(id);
  }

  /**
   * touch(), with the session's cart row-locked for the rest of the transaction from the same statement
   * (null when it has none yet): a guest cart write or a checkout starts here.
   */
  async touchAndLockCart(id: string): Promise<{ session: GuestSessionRow; cart: CartRow | null }> {
    const now = this.clock.now();
    return (await this.sessions.touchAndLockCart(id, now, this.expiryFrom(now))) ?? this.notActive(id);
  }

  /** Locks the session for a merge; 404 when unknown. Expiry is the caller's to judge (see isExpired). */
  async lockForMerge(id: string): Promise<GuestSessionRow> {
    const session = await this.sessions.lock(id);
    if (session === undefined) throw notFound();
    return session;
  }

  isExpired(session: GuestSessionRow): boolean {
    return session.expiresAt.getTime() <= this.clock.now().getTime();
  }

  /** A touch matched no active session: 404 when it does not exist, 410 when it has expired. */
  private async notActive(id: string): Promise<never> {
    throw (await this.sessions.findById(id)) === undefined ? notFound() : expired();
  }

  private expiryFrom(now: Date): Date {
    return new Date(now.getTime() + this.config.guestSessionTtlDays * DAY_MS);
  }

  /** Cleanup (contract §12): deletes up to `batchSize` sessions expired at `now`, with their carts. */
  purgeExpired(now: Date, batchSize: number): Promise<number> {
    return this.retention.deleteExpired(now, batchSize);
  }

  /**
   * Cleanup: deletes the sessions whose ids another module's LIMITed batch query selects (the cart
   * module's merged guest carts), with their carts, in one statement.
   */
  purgeSelected(batch: SQLWrapper): Promise<number> {
    return this.retention.deleteSelected(batch);
  }

  /** Monitoring (contract §12): sessions not yet expired, and expired ones not yet deleted. */
  countByExpiry(): Promise<{ active: number; expired: number }> {
    return this.retention.countByExpiry(this.clock.now());
  }

  /** Monitoring (contract §12, guest_sessions_active): sessions not yet expired, on the expires_at index. */
  countActive(): Promise<number> {
    return this.retention.countActive(this.clock.now());
  }
}

export function notFound(): AppError {
  return new AppError('GUEST_SESSION_NOT_FOUND', 'Guest session not found');
}

export function expired(): AppError {
  return new AppError('GUEST_SESSION_EXPIRED', 'Guest session has expired; start a new one');
}
