import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// js-yaml is what electron-builder itself reads this file with (it ships no types of its own).
const { load } = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

const REPO_ROOT = join(import.meta.dirname, '..', '..');

async function builderConfig(): Promise<Record<string, unknown>> {
  const config = load(await readFile(join(REPO_ROOT, 'electron-builder.yml'), 'utf8'));
  if (typeof config !== 'object' || config === null) throw new Error('electron-builder.yml is not a mapping');
  return config as Record<string, unknown>;
}

describe('electron-builder.yml', () => {
  it('flips the Electron fuses that lock the packaged app down', async () => {
    const config = await builderConfig();
    expect(config.electronFuses).toEqual({
      // No `ELECTRON_RUN_AS_NODE=1 battery-workbench script.js`: the binary is never a general Node.
      runAsNode: false,
      // NODE_OPTIONS (e.g. --require) and --inspect cannot inject code into the main process.
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      // Only app.asar is loaded, and its integrity is checked where Electron supports it.
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      // The renderer is served from app://, so file:// pages need none of their legacy privileges.
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs the app into an asar archive (onlyLoadAppFromAsar needs one) and leaves source maps out', async () => {
    const config = await builderConfig();
    expect(config.asar).toBe(true);
    expect(config.files).toContain('!**/*.map');
    expect((config.extraMetadata as { main?: unknown } | undefined)?.main).toBe('out/main/index.js');
  });
});
