import { readFileSync } from 'node:fs';

/** A V8 .cpuprofile (what `node --cpu-prof` writes). */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileWindow {
  label: string;
  /** CLOCK_MONOTONIC microseconds, the clock of V8's profiler and of process.hrtime */
  fromUs: number;
  toUs: number;
}

export interface ProfileSlice {
  label: string;
  sampled_ms: number;
  /** self time by package (node_modules/<pkg>), app file (dist/…), node internals, GC, idle */
  by_origin: { origin: string; pct: number }[];
  /** the functions with the most self time */
  top_functions: { fn: string; pct: number }[];
  /** time with the origin anywhere on the stack (callees included): where a request's time goes */
  inclusive: { origin: string; pct: number }[];
}

export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function originOf(url: string, functionName: string): string {
  if (url === '') return `(${functionName.replace(/[()]/g, '') || 'native'})`;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules !== null) return modules[1];
  const dist = /\/dist\/(.+)$/.exec(url);
  if (dist !== null) return `app: ${dist[1].replace(/\.js$/, '')}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

/** Self time per origin and per function in each window of a whole-process CPU profile. */
export function sliceProfile(file: string, windows: readonly ProfileWindow[]): ProfileSlice[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const stackOrigins = new Map<number, Set<string>>();
  const originsOnStack = (id: number): Set<string> => {
    let origins = stackOrigins.get(id);
    if (origins !== undefined) return origins;
    const parent = parents.get(id);
    origins = new Set(parent === undefined ? [] : originsOnStack(parent));
    const frame = nodes.get(id);
    if (frame !== undefined && frame.url !== '') origins.add(originOf(frame.url, frame.functionName));
    stackOrigins.set(id, origins);
    return origins;
  };
  const times: number[] = new Array<number>(profile.samples.length);
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    times[i] = t;
  }
  return windows.map((window) => {
    const byOrigin = new Map<string, number>();
    const byFunction = new Map<string, number>();
    const inclusive = new Map<string, number>();
    let total = 0;
    for (let i = 0; i < profile.samples.length; i++) {
      if (times[i] < window.fromUs || times[i] > window.toUs) continue;
      const frame = nodes.get(profile.samples[i]);
      if (frame === undefined) continue;
      const weight = (profile.timeDeltas[i + 1] ?? 0) / 1000;
      total += weight;
      const origin = originOf(frame.url, frame.functionName);
      byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + weight);
      for (const onStack of originsOnStack(profile.samples[i])) {
        inclusive.set(onStack, (inclusive.get(onStack) ?? 0) + weight);
      }
      const where =
        frame.url === ''
          ? ''
          : ` ${frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/')}:${frame.lineNumber + 1}`;
      const fn = `${frame.functionName || '(anonymous)'}${where}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + weight);
    }
    const pct = (ms: number): number => Math.round((1000 * ms) / Math.max(1e-9, total)) / 10;
    return {
      label: window.label,
      sampled_ms: Math.round(total),
      by_origin: [...byOrigin.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 15)
        .map(([origin, ms]) => ({ origin, pct: pct(ms) })),
      top_functions: [...byFunction.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 15)
        .map(([fn, ms]) => ({ fn, pct: pct(ms) })),
      inclusive: [...inclusive.entries()]
        .filter(([origin]) => origin !== 'node internals')
        .sort((a, b) => b[1] - a[1])
        .slice(0, 25)
        .map(([origin, ms]) => ({ origin, pct: pct(ms) })),
    };
  });
}

export function profileMarkdown(slices: readonly ProfileSlice[]): string {
  const out = ['# CPU profile of the app (PostgreSQL) per scenario', ''];
  out.push(
    'Self time while each measured run was under load (node --cpu-prof; profiling slows the app down).',
    '',
  );
  for (const slice of slices) {
    out.push(`## ${slice.label} (${slice.sampled_ms} ms sampled)`, '');
    out.push('| origin | self % |', '| --- | ---: |');
    for (const row of slice.by_origin) out.push(`| ${row.origin} | ${row.pct} |`);
    out.push('', '| function | self % |', '| --- | ---: |');
    for (const row of slice.top_functions) out.push(`| \`${row.fn.replace(/\|/g, '\\|')}\` | ${row.pct} |`);
    out.push('', '| on the stack (callees included) | % |', '| --- | ---: |');
    for (const row of slice.inclusive) out.push(`| ${row.origin} | ${row.pct} |`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
