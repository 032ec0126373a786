import { rmSync } from 'node:fs';
import { dropTemplate } from './test-database';

export default async function globalTeardown(): Promise<void> {
  await dropTemplate();
  const file = process.env.GC_TEST_PGLITE_TEMPLATE;
  if (file !== undefined) rmSync(file, { force: true });
}
