/**
 * What describeError (safe-error.ts) may say about an error: fixed texts for SQLSTATEs and error codes,
 * and library messages known to carry no data. Nothing here is taken from the error itself.
 */

export const SQLSTATE_TEXT: Record<string, string> = {
  '23505': 'unique violation',
  '23503': 'foreign key violation',
  '23502': 'not-null violation',
  '23514': 'check violation',
  '22001': 'value too long for its column',
  '22003': 'numeric value out of range',
  '22021': 'character not in repertoire',
  '22P02': 'invalid text representation',
  '22P05': 'untranslatable character',
  '40001': 'serialization failure',
  '40P01': 'deadlock detected',
  '53300': 'too many connections',
  '55P03': 'lock not available',
  '57014': 'query canceled',
  '57P01': 'terminated by an administrator',
  '57P02': 'crash shutdown',
  '57P03': 'cannot connect now',
};

export const SQLSTATE_CLASS_TEXT: Record<string, string> = {
  '08': 'connection exception',
  '0A': 'feature not supported',
  '22': 'data exception',
  '23': 'integrity constraint violation',
  '25': 'invalid transaction state',
  '28': 'invalid authorization',
  '3D': 'invalid catalog name',
  '40': 'transaction rollback',
  '42': 'syntax error or access rule violation',
  '53': 'insufficient resources',
  '54': 'program limit exceeded',
  '55': 'object not in prerequisite state',
  '57': 'operator intervention',
  '58': 'system error',
  P0: 'PL/pgSQL error',
  XX: 'internal error',
};

export const CODE_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EPIPE: 'broken pipe',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  // nodemailer
  EENVELOPE: 'SMTP envelope refused',
  EMESSAGE: 'SMTP message refused',
  EAUTH: 'SMTP authentication failed',
  ECONNECTION: 'SMTP connection failed',
  ESOCKET: 'SMTP socket error',
  EPROTOCOL: 'SMTP protocol error',
  ETLS: 'TLS error',
  EDNS: 'DNS error',
  ESTREAM: 'stream error',
};

/** Whole messages that libraries write with no data in them: these may be logged as they are. */
export const KNOWN_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Cannot use a pool after calling end on the pool',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'PGlite is closed',
  'Connection is closed.',
  'Command timed out',
  "Stream isn't writeable and enableOfflineQueue options is false",
  'Rollback',
];
