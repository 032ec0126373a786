import { createConnection, createServer, Server, Socket } from 'node:net';

/** One statement a client executed, with its text parameters. */
export interface CapturedStatement {
  at: number;
  connection: number;
  sql: string;
  params: (string | null)[];
}

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;

/**
 * A PostgreSQL wire-protocol proxy on the loopback interface that records every statement its clients
 * execute (simple Query messages, and Parse/Bind/Execute of the extended protocol) and forwards all
 * bytes unchanged. Used to count the queries per request of an app instance pointed at it.
 */
export class CountingPgProxy {
  readonly statements: CapturedStatement[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private connections = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    return address.port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server === undefined ? resolve() : this.server.close(() => resolve()),
    );
  }

  /** Statements recorded from index `from` on. */
  since(from: number): CapturedStatement[] {
    return this.statements.slice(from);
  }

  private accept(client: Socket): void {
    const connection = ++this.connections;
    const upstream = createConnection(this.target);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const parser = new FrontendParser((sql, params) =>
      this.statements.push({ at: Date.now(), connection, sql, params }),
    );
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      parser.push(chunk);
    });
    upstream.pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }
}

/** Splits the client→server byte stream into messages and reports executed statements. */
class FrontendParser {
  private buffer: Buffer = Buffer.alloc(0);
  private startup = true;
  private readonly prepared = new Map<string, string>();
  private bound: { sql: string; params: (string | null)[] } | undefined;

  constructor(private readonly onStatement: (sql: string, params: (string | null)[]) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.startup) {
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        const code = this.buffer.readInt32BE(4);
        this.buffer = this.buffer.subarray(length);
        if (code !== SSL_REQUEST && code !== GSS_REQUEST) this.startup = false;
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) return;
      const type = String.fromCharCode(this.buffer[0]);
      const body = this.buffer.subarray(5, 1 + length);
      this.buffer = this.buffer.subarray(1 + length);
      this.message(type, body);
    }
  }

  private message(type: string, body: Buffer): void {
    switch (type) {
      case 'Q': {
        this.onStatement(cstring(body, 0).value, []);
        return;
      }
      case 'P': {
        const name = cstring(body, 0);
        const query = cstring(body, name.next);
        this.prepared.set(name.value, query.value);
        return;
      }
      case 'B': {
        const portal = cstring(body, 0);
        const statement = cstring(body, portal.next);
        let offset = statement.next;
        const formatCount = body.readInt16BE(offset);
        offset += 2 + 2 * formatCount;
        const paramCount = body.readInt16BE(offset);
        offset += 2;
        const params: (string | null)[] = [];
        for (let i = 0; i < paramCount; i++) {
          const size = body.readInt32BE(offset);
          offset += 4;
          if (size < 0) {
            params.push(null);
            continue;
          }
          params.push(body.subarray(offset, offset + size).toString('utf8'));
          offset += size;
        }
        this.bound = { sql: this.prepared.get(statement.value) ?? '<unknown prepared statement>', params };
        return;
      }
      case 'E': {
        if (this.bound !== undefined) this.onStatement(this.bound.sql, this.bound.params);
        return;
      }
      default:
        return;
    }
  }
}

function cstring(buffer: Buffer, offset: number): { value: string; next: number } {
  const end = buffer.indexOf(0, offset);
  return { value: buffer.subarray(offset, end).toString('utf8'), next: end + 1 };
}
