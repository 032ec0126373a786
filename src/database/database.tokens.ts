/** The open Database (kind, ping, close). */
export const DATABASE = Symbol('DATABASE');
/** The Drizzle handle outside any transaction; repositories use TransactionHost instead. */
export const DRIZZLE = Symbol('DRIZZLE');
