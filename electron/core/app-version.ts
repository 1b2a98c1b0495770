import { version } from '../../package.json';

/** The app version from package.json (bundled into the built web host and CLI). */
export const APP_VERSION: string = version;
