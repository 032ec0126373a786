import { RawEnv } from '../../src/config/env.schema';
import { Send, ShopApi } from './shop-api';
import { StoredState } from './stored-state';
import { createTestApp, TestApp } from './test-app';

export interface Shop {
  /** the app of this describe block; started in beforeAll, so use it inside tests and hooks only */
  t: TestApp;
  api: ShopApi;
  db: StoredState;
}

/**
 * The usual set-up of an e2e describe block in one line: an app over its own database (`env` as in
 * createTestApp) started before the block and closed after it, its clock reset after every test, the
 * typed client (`defaults` apply to each of its requests) and the stored-state reads.
 *
 *   const { t, api, db } = useShop({ MAX_CART_LINES: '2' });
 */
export function useShop(env: RawEnv = {}, defaults: Send = {}): Shop {
  let app: TestApp | undefined;
  const current = (): TestApp => {
    if (app === undefined) throw new Error('the test app starts in beforeAll: use it inside tests and hooks');
    return app;
  };
  beforeAll(async () => {
    app = await createTestApp(env);
  });
  afterEach(() => app?.clock.reset());
  afterAll(() => app?.close());
  // every property is read from the app started in beforeAll
  const t = new Proxy({} as TestApp, { get: (_target, key) => Reflect.get(current(), key) as unknown });
  return { t, api: new ShopApi(t, defaults), db: new StoredState(t) };
}
