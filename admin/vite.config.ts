import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The built console is served by admin/serve.mjs (npm start / npm run stack -- up); `vite` alone is for
// development against a running api (VITE_API_URL).
export default defineConfig({
  plugins: [react()],
  base: './',
  build: {
    outDir: 'dist',
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
  },
  server: { port: Number(process.env.ADMIN_PORT ?? 5173) },
});
