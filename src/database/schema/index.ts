export * from './carts.table';
export * from './products.table';
export * from './users.table';
