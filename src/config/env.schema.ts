import { Parser, Problem, ReadEnv, Variable } from './env.parsers';
import { ENV_VARIABLES } from './env.variables';

// the enumerations and bounds the features use, where they have always been imported from
export * from './env.values';

type Variables = typeof ENV_VARIABLES;

/** A variable's value: its parser's type, or undefined as well when it has no default. */
type ValueOf<V> = V extends { parse: Parser<infer T>; default: unknown }
  ? T
  : V extends { parse: Parser<infer T> }
    ? T | undefined
    : never;

/**
 * Typed, validated configuration (contract §2), one field per row of ENV_VARIABLES. Built once at
 * start-up; nothing else reads process.env.
 */
export type AppConfig = { readonly [K in keyof Variables]: ValueOf<Variables[K]> };

export type RawEnv = Record<string, string | undefined>;

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Parses and validates the environment. Pure: collects every problem, naming each bad variable,
 * and throws one ConfigValidationError listing them all.
 */
export function parseEnv(env: RawEnv): AppConfig {
  const read: ReadEnv = (name) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(ENV_VARIABLES) as [string, Variable<unknown>][]) {
    const value = parseVariable(variable, read);
    if (value instanceof Problem) problems.push(`${variable.name} must be ${value.mustBe}`);
    else config[key] = value;
  }
  problems.push(...crossFieldProblems(read));
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return Object.freeze(config as AppConfig);
}

/** The variable's parsed value, its parsed default when unset, or undefined when it has none. */
function parseVariable<T>(variable: Variable<T>, read: ReadEnv): T | Problem | undefined {
  const given = read(variable.name);
  const raw = given ?? (typeof variable.default === 'function' ? variable.default(read) : variable.default);
  return raw === undefined ? undefined : variable.parse(raw);
}

/** The rules between variables; each looks at what is set, so a bad value is not reported twice. */
function crossFieldProblems(read: ReadEnv): string[] {
  const problems: string[] = [];
  if (read('NODE_ENV') === 'production' && read('JWT_SECRET') === undefined) {
    problems.push('JWT_SECRET is required when NODE_ENV=production');
  }
  if ((read('ADMIN_EMAIL') === undefined) !== (read('ADMIN_PASSWORD') === undefined)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  return problems;
}
