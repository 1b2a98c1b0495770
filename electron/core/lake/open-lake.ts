import type { Lake } from './lake';
import { LocalLake } from './local-lake';

/** The workspace's lake, by its settings: a local folder today (an S3 bucket joins it behind the same interface). */
export function openLake(location: { kind: 'local'; path: string }): Lake {
  return new LocalLake(location.path);
}
