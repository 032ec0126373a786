import fastifyCors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyPluginAsync, onRequestHookHandler } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

/**
 * `Vary: Origin` on every response, with or without an Origin header: the CORS headers depend on the
 * Origin (an allow-list, or `true` reflecting it), so a shared cache must not answer a storefront's
 * cross-origin request with a response stored for a same-origin or server-side one. @fastify/cors adds
 * it only where its hook runs (below: requests that carry an Origin); it merges into this value.
 */
export const VARY_ORIGIN = { vary: 'Origin' } as const;

/**
 * CORS through @fastify/cors, with its request hook run only for requests that carry an `Origin` header.
 * Browsers send one on every cross-origin request and every preflight; requests without one (server-side
 * calls, load balancers, curl, the same origin's GETs) get nothing from CORS, yet the hook resolved the
 * options and set its headers on each of them (about 5 % of a GET /health's CPU in the benchmark's
 * profile). @fastify/cors has no option for this, so its hook is taken from the instance it registers on
 * (a proxy that keeps the `onRequest` hook it adds, as @nestjs/platform-fastify's enableCors does) and
 * added behind the check. Its OPTIONS route stays: a preflight without an Origin gets the 404 it got before.
 */
async function corsWhenOriginPlugin(fastify: FastifyInstance, options: FastifyCorsOptions): Promise<void> {
  let corsHook: onRequestHookHandler | undefined;
  const capturing: FastifyInstance = new Proxy(fastify, {
    get(target, property) {
      if (property === 'addHook') {
        return (name: string, hook: onRequestHookHandler) => {
          if (name === 'onRequest' && corsHook === undefined) corsHook = hook;
          else (target.addHook as (name: string, hook: unknown) => unknown)(name, hook);
          return capturing;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  await new Promise<void>((resolve, reject) => {
    void fastifyCors(capturing, { ...options, hook: 'onRequest' }, (error?: Error) =>
      error === undefined ? resolve() : reject(error),
    );
  });
  const hook = corsHook;
  if (hook === undefined) throw new Error('@fastify/cors added no onRequest hook');
  fastify.addHook('onRequest', function corsWhenOrigin(request, reply, done) {
    if (request.headers.origin === undefined) done();
    else void hook.call(this, request, reply, done);
  });
}

/** The plugin above, on the root context (fastify-plugin): its hook runs for every route. */
export const corsWhenOrigin: FastifyPluginAsync<FastifyCorsOptions> = fastifyPlugin(corsWhenOriginPlugin, {
  name: 'cors-when-origin',
});
