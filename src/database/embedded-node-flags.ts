/**
 * The Node (V8) flags a process that serves from embedded PGlite runs with (issue 13: peak RSS on
 * PGlite ≤ 400 MiB). Measured with the benchmark's PGlite phase on Node 24 (README → Performance):
 *
 * - `--liftoff-only`: PGlite is PostgreSQL compiled to WebAssembly. V8 first compiles a function with
 *   its baseline compiler (Liftoff) and recompiles the hot ones with its optimizing compiler. On Node 24
 *   one of PostgreSQL's functions (104 KB of WebAssembly) takes that compiler 600 MB of memory and 2–3 s
 *   of a core (8 MB and 0.3 s on Node 20's V8); the process's peak RSS went 362 → 810 MiB. Baseline code
 *   only: ~420 MiB, no multi-second compile competing with requests on a small machine, steady-state
 *   PGlite queries ~10 % slower than fully optimized code.
 * - `--max-semi-space-size=16`: Node 24 lets V8's young generation grow to 128 MB on a machine with
 *   this much memory (Node 20: 48 MB); 16 MB semi-spaces are Node 20's default: ~420 → ~330 MiB.
 *
 * The server (main.ts) is on PGlite when DATABASE_URL is unset; it then re-executes itself with the
 * flags it lacks (process.execve: the same process id, nothing started yet). On PostgreSQL none of
 * this applies (no WebAssembly; the larger young generation costs no memory there worth saving).
 * A flag given on the command line or in NODE_OPTIONS, in either polarity (`--no-liftoff-only`,
 * `--max-semi-space-size=64`), is the operator's choice and is left as given. Node versions without
 * process.execve (before 23.11, e.g. Node 20, whose V8 did not have the problem) run as started.
 */
export const EMBEDDED_DATABASE_NODE_FLAGS: readonly string[] = ['--liftoff-only', '--max-semi-space-size=16'];

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/** The flags of EMBEDDED_DATABASE_NODE_FLAGS the process was not started with, in either polarity. */
export function missingEmbeddedDatabaseFlags(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = new Set(
    [...execArgv, ...nodeOptions.split(/\s+/)].map((arg) => flagName(arg)).filter((name) => name !== ''),
  );
  return EMBEDDED_DATABASE_NODE_FLAGS.filter((flag) => !given.has(flagName(flag)));
}

/**
 * Re-executes this process with the flags it lacks; returns only when it does not (all given, or no
 * process.execve). Call it before anything is started: no listener, no timer, no buffered output.
 */
export function reexecWithEmbeddedDatabaseFlags(): void {
  const execve = (process as NodeJS.Process & { execve?: Execve }).execve;
  if (typeof execve !== 'function') return;
  const missing = missingEmbeddedDatabaseFlags(process.execArgv, process.env.NODE_OPTIONS);
  if (missing.length === 0) return;
  execve(
    process.execPath,
    [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)],
    process.env,
  );
}

/** `--no-liftoff-only` → `liftoff-only`, `--max_semi_space_size=8` → `max-semi-space-size`. */
function flagName(arg: string): string {
  if (!arg.startsWith('--')) return '';
  const name = arg.slice(2).split('=')[0].replace(/_/g, '-');
  return name.startsWith('no-') ? name.slice(3) : name;
}
