import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTemplate } from './test-database';

export default async function globalSetup(): Promise<void> {
  await createTemplate(join(tmpdir(), `gc-pglite-template-${process.pid}.tar`));
}
