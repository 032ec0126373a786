import { signJwt } from '../support/jwt';
import { expectError, expectSuccess } from '../support/matchers';
import type { RegisteredUser } from '../support/factories';
import { spec002Body, spec002Item } from '../support/fixtures';
import { useShop } from '../support/use-shop';

/**
 * Issue 14: a token must carry `exp` (one without would be valid for good once leaked), and the auth scheme
 * is case-insensitive (RFC 9110 §11.1), on required and optional auth alike.
 */
describe('access tokens (issue 14, contract §3)', () => {
  const { t, api } = useShop();
  let user: RegisteredUser;

  beforeAll(async () => {
    user = await api.user();
  });

  const me = (authorization: string) => api.me(undefined, { headers: { authorization } });

  /** Signed with the service's own key and claims; `exp` only when given. */
  function tokenFor(exp?: number): string {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(
      { sub: user.id, role: 'customer', iat: now, ...(exp === undefined ? {} : { exp }) },
      t.config.jwtSecret,
    );
  }

  it('refuses a correctly signed token without exp with 401 UNAUTHENTICATED', async () => {
    expectError(await me(`Bearer ${tokenFor()}`), 401, 'UNAUTHENTICATED');
  });

  it('accepts the same claims with an exp (control)', async () => {
    const res = await me(`Bearer ${tokenFor(Math.floor(Date.now() / 1000) + 600)}`);
    expect(expectSuccess(res).user.id).toBe(user.id);
  });

  it.each(['bearer', 'BEARER', 'bEaReR'])('accepts the scheme written %s', async (scheme) => {
    expect(expectSuccess(await me(`${scheme} ${user.token}`)).user.email).toBe(user.email);
  });

  it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'bearer not-a-jwt'])(
    'still refuses %s with 401',
    async (header) => {
      expectError(await me(header), 401, 'UNAUTHENTICATED');
    },
  );

  describe('on an optional-auth route (POST /api/orders, contract §9)', () => {
    it('refuses a token without exp with 401 instead of ordering as a guest', async () => {
      const product = await api.product();
      const res = await api.spec002Order(spec002Body([spec002Item(product)], user.email), {
        headers: { authorization: `Bearer ${tokenFor()}` },
      });
      expectError(res, 401, 'UNAUTHENTICATED');
    });

    it("takes a lower-case scheme as the account's token: a registered email orders under it", async () => {
      const product = await api.product();
      const res = await api.spec002Order(spec002Body([spec002Item(product)], user.email), {
        headers: { authorization: `bearer ${user.token}` },
      });
      expect(res.status).toBe(201);
      const mine = expectSuccess(await api.userOrders(user.token)).orders;
      expect(mine.map((order) => order.id)).toContain(res.body.data.id);
    });
  });
});
