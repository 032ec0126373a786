/**
 * `npm run config:docs`: rewrites README's configuration table (between its config-table markers) and
 * `.env.example` from the variable table, src/config/env.variables.ts. src/config/env.docs.spec.ts fails
 * when the committed files differ from what this writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envExample, withReadmeTable } from '../src/config/env.docs';

const ROOT = join(__dirname, '..');

function write(file: string, text: string): void {
  const path = join(ROOT, file);
  const changed = readFileSync(path, 'utf8') !== text;
  if (changed) writeFileSync(path, text);
  process.stdout.write(`${file}: ${changed ? 'rewritten' : 'up to date'}\n`);
}

write('README.md', withReadmeTable(readFileSync(join(ROOT, 'README.md'), 'utf8')));
write('.env.example', envExample());
