import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { signalingPlugin } from './app/node/signaling-plugin.ts';

const port = Number(process.env['PORT'] ?? 5173);
const host = process.env['HOST'] ?? 'localhost';

export default defineConfig({
  plugins: [react(), signalingPlugin()],
  server: { port, host, strictPort: true },
  preview: { port, host, strictPort: true },
  build: { target: 'es2022', sourcemap: true },
});
