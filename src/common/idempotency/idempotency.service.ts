import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { AppError } from '../errors/app-error';
import { Clock } from '../util/clock';
import { IdempotencyRepository } from './idempotency.repository';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface StoredResponse {
  status: number;
  /** the complete response body (envelope included) */
  body: unknown;
}

/** What a request with an Idempotency-Key may do: replay the stored answer, or run (again). */
export type IdempotencyStart =
  | { kind: 'replay'; response: StoredResponse }
  /** `resumed`: an earlier attempt with this key ended without an answer; its work may exist */
  | { kind: 'run'; resumed: boolean };

/**
 * Idempotency-Key records (contract §6): the same key and body within 24 h replays the first answer
 * (status and body, byte for byte); another body → 422 IDEMPOTENCY_KEY_REUSED; a duplicate while the
 * first still runs → 409 REQUEST_IN_PROGRESS. An attempt that fails without an answer worth keeping
 * (5xx) releases its lock and keeps the record, so a retry resumes the work the key names.
 */
@Injectable()
export class IdempotencyService {
  /** How long a running attempt holds its key: the slowest request (payment timeout) plus a margin. */
  private readonly lockMs: number;

  constructor(
    private readonly records: IdempotencyRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: ResolvedAppConfig,
  ) {
    this.lockMs = config.paymentTimeoutMs + 30_000;
  }

  async begin(scope: string, key: string, request: unknown): Promise<IdempotencyStart> {
    const hash = fingerprint(request);
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.clock.now();
      const lockedUntil = new Date(now.getTime() + this.lockMs);
      if (await this.records.tryBegin(scope, key, hash, now, lockedUntil)) {
        return { kind: 'run', resumed: false };
      }
      const record = await this.records.find(scope, key);
      if (record === undefined) continue;
      if (record.createdAt.getTime() <= now.getTime() - IDEMPOTENCY_TTL_MS) {
        await this.records.delete(scope, key);
        continue;
      }
      if (record.requestHash !== hash) {
        throw new AppError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was used with a different request body',
        );
      }
      if (record.responseStatus !== null && record.responseBody !== null) {
        return {
          kind: 'replay',
          response: { status: record.responseStatus, body: JSON.parse(record.responseBody) as unknown },
        };
      }
      if (await this.records.takeOver(scope, key, now, lockedUntil)) return { kind: 'run', resumed: true };
      break;
    }
    throw new AppError(
      'REQUEST_IN_PROGRESS',
      'A request with this Idempotency-Key is still being processed; retry shortly',
    );
  }

  /** Keeps the answer to replay. */
  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    await this.records.complete(scope, key, response.status, JSON.stringify(response.body));
  }

  /** The attempt ended without an answer to keep: a retry may resume at once. */
  async release(scope: string, key: string): Promise<void> {
    await this.records.release(scope, key, this.clock.now());
  }

  /** Cleanup (contract §12): deletes up to `batchSize` records older than the 24 h they are kept at `now`. */
  purgeExpired(now: Date, batchSize: number): Promise<number> {
    return this.records.deleteCreatedBefore(new Date(now.getTime() - IDEMPOTENCY_TTL_MS), batchSize);
  }
}

/** A stable hash of a JSON body: key order does not matter, values do. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
