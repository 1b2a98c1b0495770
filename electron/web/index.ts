import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openWorkbench } from '../core/workbench';
import { defaultWorkspaceDir } from '../core/workspace/paths';
import { APP_VERSION } from '../core/app-version';
import { parseWebHostArgs, WEB_HOST_USAGE } from './args';
import { defaultStaticDir, startWebHost } from './server';
import { traced } from '../core/system/startup-trace';
import { errorMessage } from '../../shared/api/errors';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function findStaticDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [process.env.BATTERY_WORKBENCH_RENDERER_DIR, defaultStaticDir(here), resolve('out', 'renderer')];
  for (const c of candidates) if (c && existsSync(resolve(c, 'index.html'))) return resolve(c);
  return defaultStaticDir(here);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseWebHostArgs(process.argv.slice(2));
  } catch (err) {
    log(errorMessage(err));
    log(WEB_HOST_USAGE);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${WEB_HOST_USAGE}\n`);
    return;
  }

  const workspaceDir = args.workspace ? resolve(args.workspace) : defaultWorkspaceDir();
  log(`Opening workspace ${workspaceDir}`);
  const workbench = await traced('open workbench', () =>
    openWorkbench({
      workspaceDir,
      appVersion: APP_VERSION,
      entry: 'web',
      pgUrl: args.pgUrl ?? null,
      lakeFlag: args.lake ?? null,
    }),
  );
  let host;
  try {
    host = await startWebHost({
      dispatch: workbench.dispatch,
      events: workbench.events,
      staticDir: findStaticDir(),
      port: args.port,
      uploadsDir: workbench.paths.uploads,
      ...(args.maxUploadBytes !== undefined ? { maxUploadBytes: args.maxUploadBytes } : {}),
      exportsDir: workbench.paths.exports,
      log,
    });
  } catch (err) {
    await workbench.close();
    throw err;
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log(`${signal} again: exiting now.`);
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: closing the workbench...`);
    void (async () => {
      try {
        await host.close();
        await workbench.close();
        process.exit(0);
      } catch (err) {
        log(`Closing failed: ${errorMessage(err)}`);
        process.exit(1);
      }
    })();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  // The one line on stdout: scripts and the e2e tests read it to find the URL.
  process.stdout.write(`Workbench ready at ${host.url}\n`);
}

main().catch((err: unknown) => {
  const message = errorMessage(err);
  const detail = typeof err === 'object' && err !== null && 'detail' in err && typeof err.detail === 'string' ? err.detail : '';
  log(`The web host could not start: ${message}${detail ? ` (${detail})` : ''}`);
  process.exit(1);
});
