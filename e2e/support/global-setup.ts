import { assertChromium } from './chromium';
import { assertBuilt } from './web-host-process';

/** Fails early with a clear message when the build or the browser is missing. */
// eslint-disable-next-line no-restricted-syntax -- Playwright loads globalSetup from the default export.
export default function globalSetup(): void {
  assertBuilt();
  assertChromium();
}
