import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// One build for every entry: the Electron main process, the web host and the CLI share
// electron/core; the preload is a sandboxed CommonJS bridge; the renderer is one React app.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Native bindings reached through @duckdb/node-api (not a direct dependency) stay external.
      externalizeDeps: { include: ['@duckdb/node-bindings'] },
      rollupOptions: {
        input: {
          index: resolve('electron/main/index.ts'),
          web: resolve('electron/web/index.ts'),
          cli: resolve('electron/cli/index.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('renderer'),
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      minify: true,
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
});
