import type { S3LakeSettings } from '../../../shared/api/settings';
import type { Lake } from './lake';
import { LocalLake } from './local-lake';
import { S3Lake } from './s3/s3-lake';
import { resolveS3Location } from './s3/s3-location';

/** Where this run's lake is: a folder, or an S3 bucket (read through the local cache in `cacheDir`). */
export type LakeLocation = { kind: 'local'; path: string } | { kind: 's3'; settings: S3LakeSettings; cacheDir: string };

/** The workspace's lake, by its settings. */
export function openLake(location: LakeLocation): Lake {
  if (location.kind === 'local') return new LocalLake(location.path);
  return new S3Lake(resolveS3Location(location.settings), location.cacheDir);
}
