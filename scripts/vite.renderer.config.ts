import { defineConfig } from 'vite';

// No dev server: the station serves the built files itself, over the loopback bridge or file://.
export default defineConfig({
  root: 'renderer',
  base: './',
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
});
