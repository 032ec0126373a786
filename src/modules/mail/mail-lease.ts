import { Logger } from '@nestjs/common';
import { Clock } from '../../common/util/clock';
import { CLAIM_LEASE_MS, errorKind, LEASE_RENEW_MS } from './delivery-policy';
import { OutboxRepository } from './outbox.repository';

/** A lease on one mail, renewed while held; `until` is the current token. */
export interface HeldLease {
  readonly until: Date;
  /** stops renewing; resolves once no renewal is in flight, so `until` is final */
  release(): Promise<void>;
}

/**
 * Holds a claimed mail (contract §11: one dispatcher at a time): renews its lease every LEASE_RENEW_MS
 * until released, however long SMTP takes.
 */
export function holdLease(
  outbox: OutboxRepository,
  clock: Clock,
  logger: Logger,
  id: string,
  leaseUntil: Date,
): HeldLease {
  let until = leaseUntil;
  let renewal: Promise<void> = Promise.resolve();
  const renew = async () => {
    const next = new Date(clock.now().getTime() + CLAIM_LEASE_MS);
    try {
      if (await outbox.renewLease(id, until, next)) until = next;
    } catch (error) {
      // the lease still has most of its time left; the next tick tries again
      logger.warn(`mail ${id}: renewing its lease failed (${errorKind(error)})`);
    }
  };
  const timer = setInterval(() => {
    renewal = renewal.then(renew);
  }, LEASE_RENEW_MS);
  timer.unref();
  return {
    get until() {
      return until;
    },
    async release() {
      clearInterval(timer);
      await renewal;
    },
  };
}

/** What the outbox keeps of a failed send for the admin list (not logged: it can quote addresses). */
export function lastErrorOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  const prefix = [typeof code === 'string' ? code : '', typeof responseCode === 'number' ? responseCode : '']
    .join(' ')
    .trim();
  return prefix === '' ? error.message : `${prefix}: ${error.message}`;
}
