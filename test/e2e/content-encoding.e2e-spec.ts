import { gzipSync } from 'node:zlib';
import { expectError } from '../support/matchers';
import { useShop } from '../support/use-shop';

/**
 * Issue 14: request bodies are never decoded, so a `Content-Encoding` other than identity is a 415 with the
 * envelope (contract §1) on any request that may carry one; before, a plain body that claimed to be gzip
 * was accepted.
 */
describe('Content-Encoding of requests (issue 14, contract §1)', () => {
  const { t, api, db } = useShop();

  async function patchEncoded(id: string, encoding: string, body: object) {
    return api.patchProduct(await api.adminToken(), id, body, { headers: { 'content-encoding': encoding } });
  }

  it.each(['gzip', 'GZIP', 'br', 'deflate, identity', 'x-unknown'])(
    'refuses a JSON body sent with Content-Encoding %s with 415 and changes nothing',
    async (encoding) => {
      const product = await api.product({ stock: 4 });
      const res = await patchEncoded(product.id, encoding, { stock: 9 });
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(res.headers['accept-encoding']).toBe('identity');
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
      expect(await db.stock(product.id)).toBe(4);
    },
  );

  it('refuses a body that really is gzip with 415', async () => {
    const res = await t.request('POST', '/api/v1/auth/login', {
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      rawBody: gzipSync(JSON.stringify({ email: 'a@example.com', password: 'whatever1' })).toString('latin1'),
    });
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('ignores the header on a GET, which has no body to decode', async () => {
    const res = await api.listProducts('', { headers: { 'content-encoding': 'gzip' } });
    expect(res.status).toBe(200);
  });

  it('refuses it on a DELETE, whose body Fastify would read', async () => {
    const user = await api.user();
    const product = await api.product();
    const res = await api.send('DELETE', `/api/v1/cart/items/${product.id}`, {
      token: user.token,
      headers: { 'content-encoding': 'gzip' },
    });
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('accepts identity, in any letter case, as no encoding', async () => {
    const product = await api.product({ stock: 4 });
    const res = await patchEncoded(product.id, 'Identity', { stock_delta: 1 });
    expect(res.status).toBe(200);
    expect(await db.stock(product.id)).toBe(5);
  });
});
