import { Client } from 'pg';
import { cpuSeconds, cpuSecondsOfAll, systemCpu } from './processes';
import { availableParallelism } from 'node:os';
import { round } from './util';

/** What the machine and the database did while a load ran. */
export interface ResourceUsage {
  /** CPU of the server process under test, % of one core */
  server_cpu_pct: number;
  /** CPU of all PostgreSQL processes, % of one core (0 for PGlite) */
  postgres_cpu_pct: number;
  /** CPU of the load generator (this process), % of one core */
  loadgen_cpu_pct: number;
  /** busy share of the whole machine (processes, interrupts, steal), % of all cores */
  machine_busy_pct: number;
  /** CPU of every other process on the machine, % of one core: interference */
  other_cpu_pct: number;
  /** the other processes that used the most CPU, % of one core */
  other_top: { comm: string; cpu_pct: number }[];
  /** interrupt handling (loopback networking) and hypervisor steal, % of one core */
  irq_cpu_pct: number;
  steal_cpu_pct: number;
  /** mean over samples of the database's backends for this database, by state */
  db_sessions: {
    samples: number;
    active: number;
    waiting_on_lock: number;
    idle_in_transaction: number;
  };
}

/**
 * Samples pg_stat_activity every 200 ms (a busy backend waiting on a row lock, or a connection idle
 * inside a transaction while the app thinks) and measures CPU use of the server, PostgreSQL, the
 * load generator and the machine between start() and stop().
 */
export class Monitor {
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();
  private readonly totals = { samples: 0, active: 0, lock: 0, idleTx: 0 };
  private startedAt = 0;
  private ticks = 0;
  private serverCpu0 = 0;
  private procCpu0 = new Map<number, { comm: string; cpu: number }>();
  /** latest CPU seen per process, so a process that ends during the run still counts */
  private readonly procCpuLatest = new Map<number, { comm: string; cpu: number }>();
  private loadgen0: NodeJS.CpuUsage = process.cpuUsage();
  private system0 = systemCpu();

  constructor(
    private readonly serverPid: number,
    private readonly database: { url: string; name: string } | undefined,
  ) {}

  async start(): Promise<void> {
    if (this.database !== undefined) {
      this.client = new Client({ connectionString: this.database.url, connectionTimeoutMillis: 5_000 });
      await this.client.connect();
    }
    this.timer = setInterval(() => {
      this.sampling = this.sampling.then(() => this.sample()).catch(() => undefined);
    }, 200);
    this.startedAt = Date.now();
    this.serverCpu0 = cpuSeconds(this.serverPid);
    this.procCpu0 = cpuSecondsOfAll();
    this.loadgen0 = process.cpuUsage();
    this.system0 = systemCpu();
  }

  async stop(): Promise<ResourceUsage> {
    const seconds = Math.max(0.001, (Date.now() - this.startedAt) / 1000);
    const serverCpu = cpuSeconds(this.serverPid) - this.serverCpu0;
    this.noteProcessCpu();
    let pgCpu = 0;
    const others = new Map<string, number>();
    for (const [pid, now] of this.procCpuLatest) {
      const delta = now.cpu - (this.procCpu0.get(pid)?.cpu ?? 0);
      if (delta <= 0 || pid === this.serverPid || pid === process.pid) continue;
      if (now.comm === 'postgres') {
        if (this.database !== undefined) pgCpu += delta;
        continue;
      }
      others.set(now.comm, (others.get(now.comm) ?? 0) + delta);
    }
    const loadgen = process.cpuUsage(this.loadgen0);
    const system = systemCpu();
    clearInterval(this.timer);
    await this.sampling;
    await this.client?.end().catch(() => undefined);
    const n = Math.max(1, this.totals.samples);
    // jiffies → % of one core
    const total = Math.max(1, system.total - this.system0.total);
    const share = (jiffies: number): number => (100 * availableParallelism() * jiffies) / total;
    const processPct = share(system.process - this.system0.process);
    const irqPct = share(system.interrupts - this.system0.interrupts);
    const stealPct = share(system.steal - this.system0.steal);
    const serverPct = (100 * serverCpu) / seconds;
    const pgPct = (100 * pgCpu) / seconds;
    const loadgenPct = (100 * (loadgen.user + loadgen.system)) / 1e6 / seconds;
    const otherPct = Math.max(0, processPct - serverPct - pgPct - loadgenPct);
    return {
      server_cpu_pct: round(serverPct, 1),
      postgres_cpu_pct: round(pgPct, 1),
      loadgen_cpu_pct: round(loadgenPct, 1),
      machine_busy_pct: round((processPct + irqPct + stealPct) / availableParallelism(), 1),
      other_cpu_pct: round(otherPct, 1),
      other_top: [...others.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([comm, cpu]) => ({ comm, cpu_pct: round((100 * cpu) / seconds, 1) })),
      irq_cpu_pct: round(irqPct, 1),
      steal_cpu_pct: round(stealPct, 1),
      db_sessions: {
        samples: this.totals.samples,
        active: round(this.totals.active / n, 2),
        waiting_on_lock: round(this.totals.lock / n, 2),
        idle_in_transaction: round(this.totals.idleTx / n, 2),
      },
    };
  }

  private noteProcessCpu(): void {
    for (const [pid, entry] of cpuSecondsOfAll()) this.procCpuLatest.set(pid, entry);
  }

  private async sample(): Promise<void> {
    // the whole-machine process scan once a second is enough to keep processes that end meanwhile
    if (++this.ticks % 5 === 0) this.noteProcessCpu();
    if (this.client === undefined || this.database === undefined) return;
    const { rows } = await this.client.query<{ active: string; lock: string; idle_tx: string }>(
      `select count(*) filter (where state = 'active') as active,
              count(*) filter (where state = 'active' and wait_event_type = 'Lock') as lock,
              count(*) filter (where state = 'idle in transaction') as idle_tx
       from pg_stat_activity
       where datname = $1 and pid <> pg_backend_pid() and backend_type = 'client backend'`,
      [this.database.name],
    );
    this.totals.samples += 1;
    this.totals.active += Number(rows[0].active);
    this.totals.lock += Number(rows[0].lock);
    this.totals.idleTx += Number(rows[0].idle_tx);
  }
}
