import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterDrizzleOrm } from '@nestjs-cls/transactional-adapter-drizzle-orm';
import { Db } from './db';

/**
 * Repositories inject `TxHost` and query through `txHost.tx`: inside a service's
 * `@Transactional()` method that is the open transaction, elsewhere the plain pool.
 */
export type DrizzleAdapter = TransactionalAdapterDrizzleOrm<Db>;
export type TxHost = TransactionHost<DrizzleAdapter>;
export { TransactionHost, Transactional } from '@nestjs-cls/transactional';
