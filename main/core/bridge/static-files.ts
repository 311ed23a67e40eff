import { readFile } from 'node:fs/promises';
import path from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/**
 * Resolves a URL path inside the built renderer. Paths that climb out of it resolve to nothing;
 * unknown paths without an extension get index.html so the app's own routes survive a reload.
 */
export async function readStaticFile(rootDir: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const root = path.resolve(rootDir);
  const wanted = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  if (wanted !== root && !wanted.startsWith(root + path.sep)) return null;
  const file = wanted === root || decoded.endsWith('/') ? path.join(wanted, 'index.html') : wanted;
  const ext = path.extname(file);
  try {
    return { body: await readFile(file), contentType: contentTypes[ext] ?? 'application/octet-stream' };
  } catch {
    if (ext !== '') return null;
    try {
      return { body: await readFile(path.join(root, 'index.html')), contentType: contentTypes['.html'] ?? '' };
    } catch {
      return null;
    }
  }
}
