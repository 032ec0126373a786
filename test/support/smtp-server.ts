import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** the Message-ID header as sent, angle brackets included; undefined when the mail had none */
  messageId: string | undefined;
}

export interface TestSmtpOptions {
  /** how long the server takes over each message before it answers the end of DATA (a slow relay) */
  latencyMs?: number;
  /**
   * Runs after the message arrived, before the server answers 250 to it (the mail counts as received
   * either way): a test injects a fault here that hits the sender right after SMTP accepted its mail.
   */
  beforeAccept?: (mail: ReceivedMail) => Promise<void> | void;
}

function messageIdOf(raw: string): string | undefined {
  const headers = raw.split(/\r?\n\r?\n/, 1)[0];
  return /^message-id:\s*(<[^>\r\n]+>)/im.exec(headers)?.[1];
}

/** A real SMTP server in-process: the app sends to it over TCP, tests read what arrived. */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  latencyMs: number;
  beforeAccept: TestSmtpOptions['beforeAccept'];
  private server: SMTPServer | undefined;
  private port = 0;

  constructor(options: TestSmtpOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.beforeAccept = options.beforeAccept;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Starts on `port` (0 = any free port; pass the old port to come back after stop()); no-op if running. */
  async start(port = this.port): Promise<void> {
    if (this.server !== undefined) return;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const mail: ReceivedMail = {
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            messageId: messageIdOf(raw),
          };
          this.accept(mail).then(
            () => callback(),
            (error: Error) => callback(error),
          );
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  private async accept(mail: ReceivedMail): Promise<void> {
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    this.received.push(mail);
    await this.beforeAccept?.(mail);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to.includes(address));
  }
}
