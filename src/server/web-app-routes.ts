import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { fileURLToPath } from 'node:url';

export const webDistDir = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * The web app at /app/: built files as they are, and index.html for any other /app/ path so the
 * single-page app's own routes survive a reload. The app holds no data; it calls the FHIR API.
 */
export async function registerWebAppRoutes(app: FastifyInstance, distDir = webDistDir): Promise<void> {
  if (!existsSync(`${distDir}/index.html`)) {
    app.get('/app/*', async (_request, reply) => reply.code(503).type('text/plain; charset=utf-8')
      .send('The web app is not built: run `npm run web:build` (npm start does it for you).'));
    return;
  }
  await app.register(fastifyStatic, { root: distDir, prefix: '/app/', wildcard: false, index: ['index.html'] });
  app.get('/app', async (_request, reply) => reply.redirect('/app/'));
  app.get('/app/*', async (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
  app.get('/', async (_request, reply) => reply.redirect('/app/'));
}
