import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomic';

/**
 * The embedded hot store's identity, kept in `<workspace>/hot-store.json` (mode 0600):
 * a workspace id (names the data folder when running as root, see embedded-server.ts) and the
 * password of the embedded cluster's superuser. The password only guards data that lives in
 * files the same reader can already open, and the cluster listens on 127.0.0.1 only.
 * Passwords of EXTERNAL stores are never written anywhere (see hot-config.ts).
 */
export interface HotIdentity {
  id: string;
  password: string;
}

export const HOT_IDENTITY_FILE = 'hot-store.json';

export async function loadHotIdentity(workspaceRoot: string): Promise<HotIdentity> {
  const file = join(workspaceRoot, HOT_IDENTITY_FILE);
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null) {
      const { id, password } = parsed as Record<string, unknown>;
      if (typeof id === 'string' && /^[a-f0-9-]{36}$/.test(id) && typeof password === 'string' && password.length >= 16) {
        return { id, password };
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const identity: HotIdentity = { id: randomUUID(), password: randomBytes(24).toString('base64url') };
  await mkdir(workspaceRoot, { recursive: true });
  await writeFileAtomic(file, JSON.stringify(identity, null, 2) + '\n', 0o600);
  return identity;
}
