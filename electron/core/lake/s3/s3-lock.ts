import { hostname } from 'node:os';
import { WorkbenchError } from '../../../../shared/api/errors';
import { isPidAlive } from '../../system/pid';
import type { LakeWriterLock } from '../lake';
import type { S3Lake } from './s3-lake';

const LOCK_KEY = '_locks/writer.lock';
/** The holder rewrites the lock this often; a lock not rewritten for STALE_MS is a crashed machine's and is taken over. */
const HEARTBEAT_MS = 60_000;
const STALE_MS = 10 * 60_000;

interface Holder {
  pid: number;
  host: string;
  owner: string;
  since: string;
  heartbeat: string;
}

function parseHolder(text: string | null): Holder | null {
  if (text === null) return null;
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string'
      ? {
          pid: h.pid,
          host: h.host,
          owner: String(h.owner ?? 'another job'),
          since: String(h.since ?? '?'),
          heartbeat: String(h.heartbeat ?? h.since ?? ''),
        }
      : null;
  } catch {
    return null;
  }
}

/**
 * The lake-writer lock of a shared S3 lake: an object created no-clobber (`If-None-Match: *`), so two
 * workbenches on two machines never rewrite the lake at once. The holder refreshes it every minute; one left by
 * a process that is gone (same machine) or not refreshed for ten minutes (another machine) is taken over.
 */
export async function takeS3WriterLock(lake: S3Lake, owner: string): Promise<LakeWriterLock> {
  const since = new Date().toISOString();
  const me = (): Holder => ({ pid: process.pid, host: hostname(), owner, since, heartbeat: new Date().toISOString() });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await lake.putObjectText(LOCK_KEY, JSON.stringify(me()), true);
    } catch (err) {
      if (!(err instanceof WorkbenchError && err.code === 'CONFLICT')) throw err;
      const holder = parseHolder(await lake.getObjectText(LOCK_KEY));
      const stale =
        holder === null || (holder.host === hostname() && !isPidAlive(holder.pid)) || Date.now() - Date.parse(holder.heartbeat) > STALE_MS;
      if (stale) {
        await lake.remove(LOCK_KEY);
        continue;
      }
      throw new WorkbenchError(
        'CONFLICT',
        `The lake at ${lake.location} is in use by ${holder.owner} (pid ${holder.pid} on ${holder.host}, since ${holder.since}). The jobs that write the lake, and the lake check, take turns: wait for it to finish and run again.`,
        `If that machine is gone, the lock is taken over ten minutes after its last heartbeat (${holder.heartbeat}).`,
      );
    }
    const timer = setInterval(() => {
      void lake.putObjectText(LOCK_KEY, JSON.stringify(me()), false).catch(() => undefined);
    }, HEARTBEAT_MS);
    timer.unref();
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        const now = parseHolder(await lake.getObjectText(LOCK_KEY).catch(() => null));
        if (now && now.pid === process.pid && now.host === hostname() && now.since === since) await lake.remove(LOCK_KEY);
      },
    };
  }
  throw new WorkbenchError('CONFLICT', `The lake-writer lock ${LOCK_KEY} of ${lake.location} could not be taken.`);
}
