import { parse, PGlite, protocol, QueryOptions, Results } from '@electric-sql/pglite';
import { is } from 'drizzle-orm';
import { PglitePreparedQuery } from 'drizzle-orm/pglite';

const { serialize } = protocol;

interface Parsed {
  /** the parameters' type oids, as PostgreSQL inferred them (Describe of the statement) */
  paramTypes: number[];
}

/**
 * Named prepared statements on embedded PGlite. PGlite's `query()` sends every statement unnamed, as six
 * calls into WebAssembly (Parse, Describe, Bind, Describe, Execute, Sync), so PostgreSQL parses and plans
 * it every time: GET guest cart's read cost 1.2–1.3 ms against 0.29 ms parsed once and run as Bind,
 * Describe, Execute, Sync in one call (a micro-benchmark on a 10 k-cart database). The statements of
 * statement.ts (their names and texts are fixed) run here when they run on PGlite outside a
 * transaction: parsed once per database under their name, then one protocol call per run. It takes
 * the locks PGlite's own `query()` takes (no statement runs inside another caller's open transaction)
 * and answers with `query()`'s result (parseResults), so Drizzle maps the rows as before.
 */
class NamedStatements {
  private readonly parsed = new Map<string, Parsed>();
  private readonly merged = new WeakMap<
    QueryOptions,
    { parsers: PGlite['parsers']; options: QueryOptions }
  >();

  constructor(private readonly pglite: PGlite) {}

  query(name: string, text: string, params: unknown[], options: QueryOptions): Promise<Results> {
    const pglite = this.pglite;
    return pglite._runExclusiveTransaction(() =>
      pglite._runExclusiveQuery(async () => {
        const { paramTypes } = this.parsed.get(name) ?? (await this.parse(name, text));
        const values = params.map((param, i) =>
          param === null || param === undefined ? null : this.serialize(param, paramTypes[i]),
        );
        const { messages } = await pglite.execProtocol(
          concat([
            serialize.bind({ statement: name, values }),
            serialize.describe({ type: 'P' }),
            serialize.execute({}),
            serialize.sync(),
          ]),
          { syncToFs: false },
        );
        await pglite.syncToFs();
        const merged = this.parsersFor(options);
        return parse.parseResults(messages, merged.parsers, merged.options)[0];
      }),
    );
  }

  /**
   * PGlite's type parsers with the query's own (Drizzle's, per prepared query) laid over them, merged once
   * per options object. parseResults merges them on every call when the options carry parsers: a spread
   * of PGlite's 318 integer-keyed parsers, about 0.1 ms per statement (a micro-benchmark on Node 24),
   * the largest piece of JavaScript in a GET guest cart on PGlite (its CPU profile).
   */
  private parsersFor(options: QueryOptions): { parsers: PGlite['parsers']; options: QueryOptions } {
    let merged = this.merged.get(options);
    if (merged === undefined) {
      merged =
        options.parsers === undefined
          ? { parsers: this.pglite.parsers, options }
          : {
              parsers: { ...this.pglite.parsers, ...options.parsers },
              options: { ...options, parsers: undefined },
            };
      this.merged.set(options, merged);
    }
    return merged;
  }

  private async parse(name: string, text: string): Promise<Parsed> {
    const { messages } = await this.pglite.execProtocol(
      concat([
        serialize.parse({ name, text, types: [] }),
        serialize.describe({ type: 'S', name }),
        serialize.sync(),
      ]),
      { syncToFs: false },
    );
    const parsed = { paramTypes: parse.parseDescribeStatementResults(messages) };
    this.parsed.set(name, parsed);
    return parsed;
  }

  private serialize(param: unknown, oid: number | undefined): string {
    const serializer = oid === undefined ? undefined : this.pglite.serializers[oid];
    return serializer !== undefined ? serializer(param) : String(param);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const perDatabase = new WeakMap<PGlite, NamedStatements>();

/**
 * A Drizzle prepared query made on the top-level PGlite handle, run from now on as the named statement
 * `name`; any other query (PostgreSQL's pool, a PGlite transaction's handle) is returned as it is.
 */
export function namedOnPglite<Q>(prepared: Q, name: string): Q {
  if (!is(prepared, PglitePreparedQuery)) return prepared;
  const query = prepared as unknown as { client: unknown };
  if (!(query.client instanceof PGlite)) return prepared;
  const pglite = query.client;
  let statements = perDatabase.get(pglite);
  if (statements === undefined) {
    statements = new NamedStatements(pglite);
    perDatabase.set(pglite, statements);
  }
  const named = statements;
  query.client = {
    query: (text: string, params: unknown[], options: QueryOptions) =>
      named.query(name, text, params, options),
  };
  return prepared;
}
