import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppError } from '../../common/errors/app-error';
import { Clock } from '../../common/util/clock';
import { IdempotencyRepository } from './idempotency.repository';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a first request may run before a duplicate may take its key over. */
export const IDEMPOTENCY_LOCK_MS = 60_000;

export interface StoredResponse {
  status: number;
  /** the complete response body (envelope included) */
  body: unknown;
}

/**
 * Idempotency-Key handling (contract §6): the same key and body within 24 h replays the first response
 * (status and body, byte for byte); another body → 422 IDEMPOTENCY_KEY_REUSED; a duplicate while the
 * first still runs → 409 REQUEST_IN_PROGRESS. 4xx outcomes are stored like successes; a 5xx frees the
 * key so the client can retry.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly records: IdempotencyRepository,
    private readonly clock: Clock,
  ) {}

  async execute(
    scope: string,
    key: string | undefined,
    request: unknown,
    run: () => Promise<StoredResponse>,
  ): Promise<StoredResponse> {
    if (key === undefined) return run();
    const hash = fingerprint(request);
    const replay = await this.claim(scope, key, hash);
    if (replay !== undefined) return replay;
    try {
      const response = await run();
      await this.records.complete(scope, key, response.status, JSON.stringify(response.body));
      return response;
    } catch (error) {
      if (error instanceof AppError && error.status < 500) {
        const body = {
          success: false,
          error: {
            code: error.code,
            message: error.message,
            ...(error.details === undefined ? {} : { details: error.details }),
          },
        };
        await this.records.complete(scope, key, error.status, JSON.stringify(body));
      } else {
        await this.records.delete(scope, key);
      }
      throw error;
    }
  }

  /** Claims the key for this request, or returns the stored response to replay, or throws. */
  private async claim(scope: string, key: string, hash: string): Promise<StoredResponse | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.clock.now();
      const lockedUntil = new Date(now.getTime() + IDEMPOTENCY_LOCK_MS);
      if (await this.records.tryBegin(scope, key, hash, now, lockedUntil)) return undefined;
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
        return { status: record.responseStatus, body: JSON.parse(record.responseBody) as unknown };
      }
      if (await this.records.takeOver(scope, key, now, lockedUntil)) return undefined;
      throw new AppError(
        'REQUEST_IN_PROGRESS',
        'A request with this Idempotency-Key is still being processed; retry shortly',
        undefined,
        {
          'retry-after': '1',
        },
      );
    }
    throw new AppError(
      'REQUEST_IN_PROGRESS',
      'A request with this Idempotency-Key is still being processed; retry shortly',
    );
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
