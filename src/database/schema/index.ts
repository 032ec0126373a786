export * from './carts.table';
export * from './cleanup-runs.table';
export * from './guest-sessions.table';
export * from './merge-logs.table';
export * from './products.table';
export * from './users.table';
export * from './mail-outbox.table';
export * from './orders.table';
