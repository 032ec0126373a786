import { Inject, Injectable } from '@nestjs/common';
import type { SQLWrapper } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../common/errors/app-error';
import { Clock } from '../../common/util/clock';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { DependentWrite } from '../../database/dependent-write';
import { GuestSessionRow } from '../../database/schema';
import { GuestSessionsRetentionRepository } from './guest-sessions-retention.repository';
import {
  GuestSessionsRepository,
  SessionPart,
  SessionReadValues,
  SessionTouchOnPlacement,
  SessionTouchValues,
  SessionView,
} from './guest-sessions.repository';

export type {
  SessionLockValues,
  SessionPart,
  SessionReadValues,
  SessionTouchOnPlacement,
  SessionTouchValues,
  SessionView,
} from './guest-sessions.repository';

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

  /** The session as the first CTEs of a guest cart statement (cart module): see GuestSessionsRepository. */
  get parts(): {
    read: SessionPart;
    touch: SessionPart;
    lock: SessionPart;
    touchOnPlacement: DependentWrite;
  } {
    return this.sessions.parts;
  }

  /** The values of `parts.touchOnPlacement` for session `id` now (checkout: the expiry slides with the order). */
  touchOnPlacementValues(id: string): SessionTouchOnPlacement {
    const now = this.clock.now();
    return {
      sessionId: id,
      sessionNow: now.toISOString(),
      sessionExpiresAt: this.expiryFrom(now).toISOString(),
    };
  }

  /** The values of `parts.read` for session `id` now (a read finds the session only while it is active). */
  readValues(id: string): SessionReadValues {
    return { id, now: this.clock.now().toISOString() };
  }

  /**
   * A read's sliding expiry (contract §4): the session read (`parts.read`) as it stands when its expiry
   * was moved less than GUEST_SESSION_TOUCH_INTERVAL_SECONDS ago, the usual case, without a statement;
   * otherwise its expiry slides as on a write, in one conditional UPDATE. When that UPDATE changes nothing
   * (another request moved the expiry in between), the session is answered as it was read.
   */
  async slideIfDue(session: SessionView): Promise<SessionView> {
    const now = this.clock.now();
    const touchBefore = new Date(now.getTime() - this.config.guestSessionTouchIntervalSeconds * 1000);
    if (session.lastActivityAt.getTime() > touchBefore.getTime()) return session;
    const touched = await this.sessions.touchIfDue({
      ...this.touchValues(session.id, now),
      touchBefore: touchBefore.toISOString(),
    });
    return touched ?? session;
  }

  /** The values of `parts.touch` for session `id`: its expiry moves forward from now. */
  touchValues(id: string, now = this.clock.now()): SessionTouchValues {
    return { id, now: now.toISOString(), expiresAt: this.expiryFrom(now).toISOString() };
  }

  /**
   * What a statement that started from a session part found, or the session rules' error when it found
   * no active session: 404 when the session does not exist, 410 when it has expired.
   */
  found<T>(id: string, result: T | undefined): T | Promise<never> {
    return result !== undefined ? result : this.notActive(id);
  }

  private async notActive(id: string): Promise<never> {
    throw (await this.sessions.findById(id)) === undefined ? notFound() : expired();
  }

  /**
   * What a statement that started from `parts.lock` found (a merge's locks), or 404 when it found no
   * session. Expiry is the caller's to judge (see isExpired).
   */
  locked<T>(result: T | undefined): T {
    if (result === undefined) throw notFound();
    return result;
  }

  isExpired(session: Pick<SessionView, 'expiresAt'>): boolean {
    return session.expiresAt.getTime() <= this.clock.now().getTime();
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
