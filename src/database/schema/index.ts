export * from './carts.table';
export * from './cleanup-runs.table';
export * from './guest-sessions.table';
export * from './merge-logs.table';
export * from './products.table';
export * from './users.table';
