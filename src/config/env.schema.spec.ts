import { ConfigValidationError, parseEnv, RawEnv } from './env.schema';

/** The ConfigValidationError parseEnv throws for `env`, or a failure when it does not throw one. */
function configError(env: RawEnv): ConfigValidationError {
  try {
    parseEnv(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error;
    throw error;
  }
  throw new Error(`parseEnv accepted ${JSON.stringify(env)}`);
}

describe('parseEnv defaults (contract §2)', () => {
  const config = parseEnv({});

  it('listens on port 3000 and keeps data under ./.data', () => {
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe('./.data');
  });

  it('sends mail from no-reply@localhost without SMTP or Redis', () => {
    expect(config.mailFrom).toBe('no-reply@localhost');
    expect(config.smtpUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
  });

  it('writes customer mails in English with links to http://localhost:3000', () => {
    expect(config.mailLocale).toBe('en');
    expect(config.storefrontUrl).toBe('http://localhost:3000');
  });

  it('turns rate limits on and trusts no proxy', () => {
    expect(config.rateLimits).toBe(true);
    expect(config.trustProxy).toBe(false);
  });

  it('uses USD, 30-day guest sessions, 50 lines of at most 99 units and the sum merge', () => {
    expect(config.currency).toBe('USD');
    expect(config.guestSessionTtlDays).toBe(30);
    expect(config.maxCartLines).toBe(50);
    expect(config.maxLineQuantity).toBe(99);
    expect(config.mergeStrategy).toBe('sum');
  });

  it('uses the embedded database and seeds the demo catalog without DATABASE_URL', () => {
    expect(config.databaseUrl).toBeUndefined();
    expect(config.seedDemoCatalog).toBe(true);
  });

  it('does not seed the demo catalog by default with DATABASE_URL', () => {
    const withServer = parseEnv({ DATABASE_URL: 'postgres://user:pw@db:5432/shop' });
    expect(withServer.databaseUrl).toBe('postgres://user:pw@db:5432/shop');
    expect(withServer.seedDemoCatalog).toBe(false);
  });

  it('lets SEED_DEMO_CATALOG override the default either way', () => {
    expect(parseEnv({ SEED_DEMO_CATALOG: 'false' }).seedDemoCatalog).toBe(false);
    expect(parseEnv({ DATABASE_URL: 'postgres://db/shop', SEED_DEMO_CATALOG: 'true' }).seedDemoCatalog).toBe(
      true,
    );
  });

  it('leaves JWT_SECRET unset outside production so a generated one is used', () => {
    expect(config.jwtSecret).toBeUndefined();
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(config)).toBe(true);
  });
});

describe('parseEnv reads given values', () => {
  it('parses numbers, switches and upper-cases the currency', () => {
    const config = parseEnv({
      PORT: '8080',
      RATE_LIMITS: 'off',
      CURRENCY: 'eur',
      MAX_CART_LINES: '2',
      MAX_LINE_QUANTITY: '5',
      MERGE_STRATEGY: 'newest',
      GUEST_SESSION_TTL_DAYS: '7',
    });
    expect(config).toMatchObject({
      port: 8080,
      rateLimits: false,
      currency: 'EUR',
      maxCartLines: 2,
      maxLineQuantity: 5,
      mergeStrategy: 'newest',
      guestSessionTtlDays: 7,
    });
  });

  it('lower-cases MAIL_LOCALE and drops the trailing slash of STOREFRONT_URL, keeping its path', () => {
    expect(parseEnv({ MAIL_LOCALE: 'ES', STOREFRONT_URL: 'https://Shop.example.com/store/' })).toMatchObject({
      mailLocale: 'es',
      storefrontUrl: 'https://shop.example.com/store',
    });
  });

  it('treats an empty or blank variable as unset', () => {
    expect(parseEnv({ PORT: '', MAIL_FROM: '   ' })).toMatchObject({
      port: 3000,
      mailFrom: 'no-reply@localhost',
    });
  });
});

describe('parseEnv refuses bad values, naming the variable', () => {
  it.each<[string, RawEnv]>([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['MERGE_STRATEGY', { MERGE_STRATEGY: 'max' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['REDIS_URL', { REDIS_URL: 'http://x' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'notanip' }],
    ['RATE_LIMITS', { RATE_LIMITS: 'maybe' }],
    ['MAX_CART_LINES', { MAX_CART_LINES: '0' }],
    ['CURRENCY', { CURRENCY: 'dollars' }],
    ['MAIL_LOCALE', { MAIL_LOCALE: 'fr' }],
    ['STOREFRONT_URL', { STOREFRONT_URL: 'shop.example.com' }],
    ['STOREFRONT_URL', { STOREFRONT_URL: 'ftp://shop.example.com' }],
    ['STOREFRONT_URL', { STOREFRONT_URL: 'https://shop.example.com/?ref=mail' }],
  ])('names %s when it is %j', (name, env) => {
    const error = configError(env);
    expect(error.message).toContain(name);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain(name);
  });

  it('refuses to run in production without JWT_SECRET', () => {
    const error = configError({ NODE_ENV: 'production' });
    expect(error.message).toContain('JWT_SECRET');
  });

  it('runs in production with a long enough JWT_SECRET', () => {
    const secret = 'x'.repeat(32);
    expect(parseEnv({ NODE_ENV: 'production', JWT_SECRET: secret }).jwtSecret).toBe(secret);
  });

  it('keeps /metrics off without METRICS_TOKEN and takes a Bearer token of 16 to 256 characters', () => {
    expect(parseEnv({}).metricsToken).toBeUndefined();
    const token = 'scrape-Token_0123456789.~+/==';
    expect(parseEnv({ METRICS_TOKEN: token }).metricsToken).toBe(token);
    for (const bad of ['too-short-token', 'has a space in the middle', 'x'.repeat(257), 'ä'.repeat(20)]) {
      const error = configError({ METRICS_TOKEN: bad });
      expect(error.problems).toEqual([expect.stringContaining('METRICS_TOKEN must be')]);
      expect(error.message).not.toContain(bad); // a secret is never echoed
    }
  });

  it('lists every problem at once', () => {
    const error = configError({ PORT: 'abc', MERGE_STRATEGY: 'max', REDIS_URL: 'http://x' });
    expect(error.problems).toHaveLength(3);
    for (const name of ['PORT', 'MERGE_STRATEGY', 'REDIS_URL']) expect(error.message).toContain(name);
  });
});

describe('parseEnv TRUST_PROXY', () => {
  it('accepts true', () => {
    expect(parseEnv({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
  });

  it('accepts false', () => {
    expect(parseEnv({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
  });

  it('accepts a hop count', () => {
    expect(parseEnv({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
  });

  it('accepts a comma-separated list of CIDRs and addresses, trimmed', () => {
    expect(parseEnv({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
  });

  it('refuses a list with one bad entry, naming the entry', () => {
    const error = configError({ TRUST_PROXY: '10.0.0.0/8, proxy.local' });
    expect(error.message).toContain('TRUST_PROXY');
    expect(error.message).toContain('proxy.local');
  });
});
