import { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema';

/** The Drizzle handle every repository uses: one type for PGlite and for node-postgres. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
