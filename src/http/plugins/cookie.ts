// Cookies (@fastify/cookie) for the areas that keep state in one: the admin session and the
// login form's CSRF token. Registered in those areas' scopes, so reader routes parse none.
import cookie from '@fastify/cookie';
import fp from 'fastify-plugin';

export const cookies = fp(
  async (app) => {
    await app.register(cookie);
  },
  { name: 'planet-cookies' },
);
