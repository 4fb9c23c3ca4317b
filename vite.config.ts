import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { signalingPlugin } from './app/signaling-server/signaling-plugin.ts';
import { servicePeerPlugin } from './app/service-peer/service-peer-plugin.ts';

const port = Number(process.env['PORT'] ?? 5173);
const host = process.env['HOST'] ?? 'localhost';

export default defineConfig({
  plugins: [react(), signalingPlugin(), servicePeerPlugin()],
  // SOFTPHONE_WATCH=0 (the end-to-end runs) stops reloading open tabs when source files change under a running test.
  server: { port, host, strictPort: true, ...(process.env['SOFTPHONE_WATCH'] === '0' ? { watch: { ignored: () => true } } : {}) },
  // Pre-bundled at start: a dependency found only when a page first imports it makes Vite reload every open tab.
  optimizeDeps: { include: ['react', 'react-dom/client', 'peerjs', 'jssip', 'idb-keyval'] },
  preview: { port, host, strictPort: true },
  build: { target: 'es2022', sourcemap: true },
});
