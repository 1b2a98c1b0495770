import { existsSync } from 'node:fs';

/** Debian's Chromium (`apt-get install -y chromium`): Playwright never downloads a browser here. */
export const CHROMIUM_PATH = process.env.BATTERY_WORKBENCH_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}. Install it with \`apt-get install -y chromium\` (or set BATTERY_WORKBENCH_CHROMIUM).`,
    );
  }
}
