import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { MAX_SYNC_INTERVAL_SECONDS, type WorkspaceSettings } from '../../../shared/api/settings';
import { writeFileAtomic } from '../files/atomic';
import { parseSecretFreeUrl } from '../hot/hot-config';

/**
 * `<workspace>/settings.json`: where this workspace's stores are. Validated on read; written
 * atomically; never holds a secret: a URL that carries a password or a secret parameter is refused on
 * write and reported (by name, not value) on read.
 */
const FileSchema = z
  .object({
    hot: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('embedded') }).strict(),
      z.object({ kind: z.literal('external'), url: z.string().min(1) }).strict(),
    ]),
    lake: z
      .object({ path: z.string().min(1).optional() })
      .strict()
      .optional(),
    sync: z
      .object({ intervalSeconds: z.number().int().min(0).max(MAX_SYNC_INTERVAL_SECONDS) })
      .strict()
      .optional(),
  })
  .strict();

export const DEFAULT_SETTINGS: WorkspaceSettings = { hot: { kind: 'embedded' } };

function settingsProblem(file: string, reason: string): WorkbenchError {
  return new WorkbenchError(
    'BAD_INPUT',
    `The workspace settings file ${file} could not be used: ${reason}. Fix it, save the settings again, or delete the file to use the defaults (embedded PostgreSQL, lake inside the workspace).`,
  );
}

function describeIssue(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return 'it does not match the expected shape';
  const where = first.path.length > 0 ? first.path.join('.') : 'the top level';
  return `${where}: ${first.message}`;
}

/** The file's settings; null when there is no file. Throws BAD_INPUT naming the file when it is broken. */
export async function readSettingsFile(file: string): Promise<WorkspaceSettings | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw settingsProblem(file, errorMessage(err));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw settingsProblem(file, `it is not valid JSON (${errorMessage(err)})`);
  }
  const parsed = FileSchema.safeParse(raw);
  if (!parsed.success) throw settingsProblem(file, describeIssue(parsed.error));
  const settings: WorkspaceSettings = parsed.data;
  if (settings.hot.kind === 'external') {
    try {
      parseSecretFreeUrl(settings.hot.url);
    } catch (err) {
      throw settingsProblem(file, `hot.url: ${errorMessage(err)}`);
    }
  }
  return settings;
}

/** Writes settings.json atomically; refuses (BAD_INPUT) a URL that carries a secret. */
export async function writeSettingsFile(file: string, settings: WorkspaceSettings): Promise<void> {
  const checked = FileSchema.parse(settings);
  if (checked.hot.kind === 'external') parseSecretFreeUrl(checked.hot.url);
  await writeFileAtomic(file, `${JSON.stringify(checked, null, 2)}\n`, 0o600);
}
