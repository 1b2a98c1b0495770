#!/usr/bin/env node
// The `battery-workbench` command: runs the built CLI (out/main/cli.js). Build it once with `npm run build`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`The CLI is not built (${cli} is missing). Run \`npm run build\` first, or use \`npm run cli -- <command>\`.\n`);
  process.exit(1);
}
await import(pathToFileURL(cli).href);
