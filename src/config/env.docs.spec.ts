import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultCell,
  docRows,
  envExample,
  README_TABLE_END,
  README_TABLE_START,
  readmeTable,
} from './env.docs';
import { Problem, Variable } from './env.parsers';
import { parseEnv } from './env.schema';
import { ENV_VARIABLES } from './env.variables';

/*
 * README's configuration table and .env.example are written from the variable table by
 * `npm run config:docs`; when one of these fails after a change to env.variables.ts, run it and commit.
 */

const ROOT = join(__dirname, '..', '..');
const VARIABLES: [string, Variable<unknown>][] = Object.entries(ENV_VARIABLES);
const NAMES = VARIABLES.map(([, variable]) => variable.name);

function readmeSection(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(README_TABLE_START) + README_TABLE_START.length;
  return readme.slice(start, readme.indexOf(README_TABLE_END)).trim();
}

/** README's rows as variable name → default cell (a shared row gives its default to each name). */
function readmeDefaults(): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const row of readmeSection().split('\n').slice(2)) {
    const cells = row.split(/(?<!\\)\|/).map((cell) => cell.trim());
    for (const [, name] of cells[1].matchAll(/`([A-Z0-9_]+)`/g)) defaults.set(name, cells[3]);
  }
  return defaults;
}

/** .env.example's lines as name → value, `# NAME=value` (commented out) prefixed with `#`. */
function exampleAssignments(): Map<string, string> {
  const text = readFileSync(join(ROOT, '.env.example'), 'utf8');
  const assignments = new Map<string, string>();
  for (const [, hash, name, value] of text.matchAll(/^(# )?([A-Z][A-Z0-9_]*)=(.*)$/gm)) {
    assignments.set(name, `${hash === undefined ? '' : '#'}${value.replace(/^"(.*)"$/, '$1')}`);
  }
  return assignments;
}

describe('README → Configuration is the variable table', () => {
  it('lists every variable, in the table’s order, and no other', () => {
    expect([...readmeDefaults().keys()]).toEqual(NAMES);
  });

  it('gives each variable the table’s default', () => {
    const expected = docRows().flatMap(({ lead, variables }) =>
      variables.map((variable) => [variable.name, defaultCell(lead)]),
    );
    expect([...readmeDefaults()]).toEqual(expected);
  });

  it('is what npm run config:docs writes', () => {
    expect(readmeSection()).toBe(readmeTable());
  });
});

describe('.env.example is the variable table', () => {
  it('lists every variable, in the table’s order, and no other', () => {
    expect([...exampleAssignments().keys()]).toEqual(NAMES);
  });

  it('sets each fixed default and comments out the variables without one', () => {
    const expected = VARIABLES.map(([, variable]) => [
      variable.name,
      typeof variable.default === 'string' ? variable.default : expect.stringMatching(/^#/),
    ]);
    expect([...exampleAssignments()]).toEqual(expected);
  });

  it('configures the app as an empty environment does', () => {
    const set = [...exampleAssignments()].filter(([, value]) => !value.startsWith('#'));
    expect(parseEnv(Object.fromEntries(set))).toEqual(parseEnv({}));
  });

  it('is what npm run config:docs writes', () => {
    expect(readFileSync(join(ROOT, '.env.example'), 'utf8')).toBe(envExample());
  });
});

describe('the variable table', () => {
  it('names each variable after its AppConfig field (PORT → port, DB_POOL_SIZE → dbPoolSize)', () => {
    for (const [key, variable] of VARIABLES) {
      expect(variable.name).toBe(key.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase());
    }
  });

  it('gives no secret a default, and shows every variable without a fixed default with a value', () => {
    for (const [, variable] of VARIABLES) {
      if (variable.secret === true) expect(variable.default).toBeUndefined();
      if (variable.default === undefined) expect(variable.example).toEqual(expect.any(String));
    }
  });

  it('accepts every default it declares', () => {
    for (const [, variable] of VARIABLES) {
      if (typeof variable.default !== 'string') continue;
      expect([variable.name, variable.parse(variable.default)]).not.toEqual([
        variable.name,
        expect.any(Problem),
      ]);
    }
  });

  it('describes an integer’s range as its parser bounds it, and names each allowed value', () => {
    for (const [, { name, parse, description = '' }] of VARIABLES) {
      const range = /(\d+)–(\d+)/.exec(description);
      if (parse.bounds !== undefined && range !== null) {
        expect([name, Number(range[1]), Number(range[2])]).toEqual([name, ...parse.bounds]);
      }
      for (const value of parse.values ?? [])
        expect([name, description]).toEqual([name, expect.stringContaining(`\`${value}\``)]);
    }
  });
});
