import type { S3LakeSettings, S3LakeTestResult } from '../../../shared/api/settings';
import type { Lake } from './lake';
import { LocalLake } from './local-lake';
import { resolveS3Location } from './s3/s3-location';
import type { S3Keys } from './s3/s3-client';

// The lake's door for configuration (settings, stores, secrets): what they may know of an S3 lake without
// reaching into the backend or loading the AWS SDK.
export type { S3Keys } from './s3/s3-client';
export { parseEndpoint, parseS3Url } from './s3/s3-location';
export { checkArchiveFolder } from './local-lake';

/**
 * Where this run's lake is: a folder, or an S3 bucket (read through the local cache in `cacheDir`; `keys` from the
 * desktop keychain, else the AWS chain).
 */
export type LakeLocation =
  { kind: 'local'; path: string; archivePath?: string } | { kind: 's3'; settings: S3LakeSettings; cacheDir: string; keys?: S3Keys };

/** The workspace's lake, by its settings. The AWS SDK is loaded only for an S3 lake (a second or so of start-up). */
export async function openLake(location: LakeLocation): Promise<Lake> {
  if (location.kind === 'local') return new LocalLake(location.path, location.archivePath);
  const { S3Lake } = await import('./s3/s3-lake');
  return new S3Lake(resolveS3Location(location.settings), location.cacheDir, { keys: location.keys });
}

/** Tries an S3 lake's settings (list, write, read, delete a probe object); the AWS SDK loads on first use. */
export async function testS3Lake(settings: S3LakeSettings, env: NodeJS.ProcessEnv, keys?: S3Keys): Promise<S3LakeTestResult> {
  const probe = await import('./s3/s3-probe');
  return probe.testS3Lake(settings, env, keys);
}
