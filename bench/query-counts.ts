import { CapturedStatement, CountingPgProxy } from './pg-proxy';
import { sleep } from './util';

export interface QueryCount {
  requests: number;
  /** statements per request, the request's own (BEGIN and COMMIT included) */
  per_request: number;
  /** per request, by the statement's first word */
  by_kind: Record<string, number>;
  /** every distinct statement with how often it ran per request */
  statements: { sql: string; per_request: number }[];
  /** statements the mail dispatcher ran meanwhile (asynchronous, not part of the response) */
  background_per_request: number;
}

/**
 * The mail dispatcher polls the outbox every second and right after an order; its statements are
 * background work. An order's own outbox row stays counted: an INSERT, or a CTE of the statement that
 * settles the order (checkout's step 3 queues the mail inside its UPDATE of "orders").
 */
export function isBackground(statement: CapturedStatement): boolean {
  const sql = statement.sql;
  return /mail_outbox/i.test(sql) && !/^\s*insert/i.test(sql) && !/update\s+"orders"/i.test(sql);
}

export function kindOf(sql: string): string {
  return (/^\s*(\w+)/.exec(sql)?.[1] ?? 'other').toLowerCase();
}

/** Runs `send(i)` for i < n one after the other and counts what reached the database meanwhile. */
export async function countQueries(
  proxy: CountingPgProxy,
  n: number,
  send: (i: number) => Promise<void>,
): Promise<{ count: QueryCount; captured: CapturedStatement[] }> {
  await sleep(100);
  const from = proxy.statements.length;
  for (let i = 0; i < n; i++) await send(i);
  // let asynchronous follow-ups (the dispatcher's kick after an order) arrive
  await sleep(300);
  const all = proxy.since(from);
  const own = all.filter((statement) => !isBackground(statement));
  const byKind: Record<string, number> = {};
  const bySql = new Map<string, number>();
  for (const statement of own) {
    const kind = kindOf(statement.sql);
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    bySql.set(statement.sql, (bySql.get(statement.sql) ?? 0) + 1);
  }
  for (const kind of Object.keys(byKind)) byKind[kind] = byKind[kind] / n;
  return {
    count: {
      requests: n,
      per_request: own.length / n,
      by_kind: byKind,
      statements: [...bySql.entries()].map(([sql, times]) => ({ sql, per_request: times / n })),
      background_per_request: (all.length - own.length) / n,
    },
    captured: own,
  };
}
