import Fastify from 'fastify';
import { LAZY_SCHEMA_CONTROLLER } from './lazy-schema-compilers.js';

describe('LAZY_SCHEMA_CONTROLLER', () => {
  it('still validates and serialises by schema when a route declares one', async () => {
    const server = Fastify({ logger: false, schemaController: LAZY_SCHEMA_CONTROLLER });
    server.post(
      '/echo',
      {
        schema: {
          body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
          response: { 200: { type: 'object', properties: { name: { type: 'string' } } } },
        },
      },
      async (request) => ({ ...(request.body as object), dropped: 'by the response schema' }),
    );
    try {
      const url = `${await server.listen({ host: '127.0.0.1', port: 0 })}/echo`;
      const post = (body: unknown) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const good = await post({ name: 'a' });
      expect([good.status, await good.json()]).toEqual([200, { name: 'a' }]);
      const bad = await post({ other: 1 });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toMatch(/name/);
    } finally {
      await server.close();
    }
  });
});
