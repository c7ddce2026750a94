import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

// The app is served by the Huza server under /app/: login pages, the OIDC endpoints, the FHIR API and
// the app share one origin, so there is no CORS and no token ever crosses origins. While developing,
// `npm run web:build -- --watch` rebuilds web/dist/ and a running Huza server serves it.
export default defineConfig({
  root,
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
});
