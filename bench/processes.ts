import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { commandOutput, log, sleep } from './util';

/** A child process of the harness: killed when the harness exits, however it exits. */
export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** resolves with the exit code (or the signal name) once the process has ended */
  readonly exited: Promise<number | string>;
  /** the last lines the child wrote, shown when it fails */
  tail(): string;
  isRunning(): boolean;
  stop(): Promise<void>;
}

const children = new Set<Child>();

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** open an IPC channel, so the child can notice the harness going away */
  ipc?: boolean;
}

export function spawnChild(name: string, command: string, args: string[], options: SpawnOptions): Child {
  const proc = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: options.ipc === true ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line.length > 2_000 ? `${line.slice(0, 2_000)}…` : line);
      if (lines.length > 40) lines.shift();
    }
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  let running = true;
  let stopping = false;
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => {
      running = false;
      children.delete(child);
      if (!stopping && code !== 0) {
        log(
          `${name} (pid ${proc.pid}) exited unexpectedly with ${code ?? signal}; its last output:\n${lines.join('\n')}`,
        );
      }
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const child: Child = {
    name,
    pid: proc.pid,
    process: proc,
    exited,
    tail: () => lines.join('\n'),
    isRunning: () => running,
    stop: async () => {
      stopping = true;
      if (!running) return;
      proc.kill('SIGTERM');
      const ended = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
      if (!ended) {
        log(`${name} ignored SIGTERM for 5 s; killing it`);
        proc.kill('SIGKILL');
        await Promise.race([exited, sleep(2_000)]);
      }
    },
  };
  children.add(child);
  return child;
}

/** Stops every child still running (used on the way out, also after an error). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...children].map((child) => child.stop()));
}

/** Last resort from the 'exit' handler, where only synchronous work runs. */
export function killAllChildrenNow(): void {
  for (const child of children) {
    try {
      child.process.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Polls `url` until it answers 200, the child dies, or `timeoutMs` passes. */
export async function waitForHealthy(url: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child.isRunning()) {
      throw new Error(`${child.name} exited before it became healthy:\n${child.tail()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${child.name} did not answer 200 on ${url} within ${timeoutMs} ms:\n${child.tail()}`);
}

/** Peak resident set size (VmHWM) of a live process, in MiB. */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match === null ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = Number(commandOutput('getconf', ['CLK_TCK']) ?? '100') || 100;

/** user + system CPU seconds of one process (0 when it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may contain spaces; the fields after it are fixed
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** CPU seconds and command name of every process on the machine. */
export function cpuSecondsOfAll(): Map<number, { comm: string; cpu: number }> {
  const result = new Map<number, { comm: string; cpu: number }>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return result;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      result.set(Number(entry), { comm, cpu: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS });
    } catch {
      // the process ended meanwhile
    }
  }
  return result;
}

/** Jiffies of the whole machine, from /proc/stat: process time, interrupts, steal, total. */
export function systemCpu(): { process: number; interrupts: number; steal: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map((value) => Number(value) || 0);
    return {
      process: user + nice + system,
      interrupts: irq + softirq,
      steal,
      total: user + nice + system + idle + iowait + irq + softirq + steal,
    };
  } catch {
    return { process: 0, interrupts: 0, steal: 0, total: 0 };
  }
}
