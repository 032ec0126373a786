import { createHmac } from 'node:crypto';

export interface ApiResponse {
  status: number;
  body: unknown;
}

/** One JSON request to the app (seeding and smoke checks; the load itself goes through autocannon). */
export async function api(
  baseUrl: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const send = (): Promise<Response> =>
    fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(30_000),
    });
  let response: Response;
  try {
    response = await send();
  } catch (error) {
    // a connection reset on a kept-alive socket: one retry (seeding and smoke checks only)
    process.stderr.write(
      `[bench] ${method} ${path}: ${String((error as Error).cause ?? error)}; retrying once\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    response = await send();
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // not JSON; keep the text for the error message
  }
  return { status: response.status, body };
}

/** `data` of a success envelope, or an error naming the request and what came back. */
export async function apiData<T>(
  baseUrl: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  path: string,
  expectedStatus: number,
  options: { body?: unknown; token?: string } = {},
): Promise<T> {
  const response = await api(baseUrl, method, path, options);
  if (response.status !== expectedStatus) {
    throw new Error(
      `${method} ${path} answered ${response.status}, expected ${expectedStatus}: ${JSON.stringify(response.body).slice(0, 500)}`,
    );
  }
  return (response.body as { data: T }).data;
}

const base64url = (value: Buffer | string): string => Buffer.from(value).toString('base64url');

/**
 * An HS256 access token as the app issues it (`{sub, role}`), signed with the app's JWT_SECRET. Signing
 * here instead of logging in thousands of users keeps argon2 out of the seeding time.
 */
export function signAccessToken(userId: string, secret: string, ttlSeconds = 6 * 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({ sub: userId, role: 'customer', iat: now, exp: now + ttlSeconds }),
  );
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
