import { createConnection } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test bodies are asserted field by field
  body: any;
  /** every byte the server sent, as text */
  raw: string;
}

/**
 * Sends `bytes` as they are over a new TCP connection and reads until the server closes it. For what
 * app.inject cannot send: a malformed request line, oversized headers, a bad %-escape on the wire. Send
 * `Connection: close` in well-formed requests so that the server ends the connection after answering.
 * Resolves with `undefined` when the server closed the connection without a byte.
 */
export function sendRaw(port: number, bytes: string | Buffer): Promise<RawResponse | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // the server may reset a connection it answered while the client was still sending: keep what came
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks).toString('latin1')));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.write(bytes);
  });
}

function parseResponse(raw: string): RawResponse | undefined {
  if (raw === '') return undefined;
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`incomplete HTTP response: ${JSON.stringify(raw.slice(0, 200))}`);
  const [statusLine, ...headerLines] = raw.slice(0, end).split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (match === null) throw new Error(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let text = raw.slice(end + 4);
  if (headers['transfer-encoding'] === 'chunked') text = unchunk(text);
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(Buffer.from(text, 'latin1').toString('utf8'));
  } catch {
    // not JSON: the test sees the text
  }
  return { status: Number(match[1]), headers, body, raw };
}

function unchunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    const size = parseInt(text.slice(at, lineEnd), 16);
    if (!(size > 0)) return out;
    out += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
