import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { LifecycleDataset, LifecyclePolicySchema } from '../../../shared/api/lifecycle';
import { MAX_LIVE_SPEED, MAX_SYNC_INTERVAL_SECONDS, type WorkspaceSettings } from '../../../shared/api/settings';
import { writeFileAtomic } from '../files/atomic';
import { parseSecretFreeUrl } from '../hot/hot-config';
import { parseEndpoint, parseS3Url } from '../lake/open-lake';

/**
 * `<workspace>/settings.json`: where this workspace's stores are. Validated on read; written
 * atomically; never holds a secret: a URL that carries a password or a secret parameter is refused on
 * write and reported (by name, not value) on read. An S3 lake's URL and endpoint are checked the same way
 * (an endpoint carrying credentials is refused); there is no field for a key.
 */
const FileSchema = z
  .object({
    hot: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('embedded') }).strict(),
      z.object({ kind: z.literal('external'), url: z.string().min(1) }).strict(),
    ]),
    lake: z
      .discriminatedUnion('kind', [
        z
          .object({ kind: z.literal('local').optional(), path: z.string().min(1).optional(), archivePath: z.string().min(1).optional() })
          .strict(),
        // No field for a key: credentials come from the AWS chain or the desktop keychain, never from this file.
        z
          .object({
            kind: z.literal('s3'),
            url: z.string().min(1),
            region: z.string().min(1).optional(),
            endpoint: z.string().min(1).optional(),
            cache: z
              .object({ maxBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional() })
              .strict()
              .optional(),
          })
          .strict(),
      ])
      .optional(),
    sync: z
      .object({ intervalSeconds: z.number().int().min(0).max(MAX_SYNC_INTERVAL_SECONDS) })
      .strict()
      .optional(),
    liveFeed: z
      .object({ enabled: z.boolean(), speed: z.number().positive().max(MAX_LIVE_SPEED) })
      .strict()
      .optional(),
    lifecycle: z.record(LifecycleDataset, LifecyclePolicySchema).optional(),
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
  for (const [where, check] of checksOf(settings)) {
    try {
      check();
    } catch (err) {
      throw settingsProblem(file, `${where}: ${errorMessage(err)}`);
    }
  }
  return settings;
}

/** The checks beyond the shape, each with the field it is about: no secret in a URL, a valid S3 lake URL and endpoint. */
function checksOf(settings: WorkspaceSettings): [string, () => void][] {
  const checks: [string, () => void][] = [];
  const { hot, lake } = settings;
  if (hot.kind === 'external') checks.push(['hot.url', () => parseSecretFreeUrl(hot.url)]);
  if (lake?.kind === 's3') {
    checks.push(['lake.url', () => parseS3Url(lake.url)]);
    const { endpoint } = lake;
    if (endpoint !== undefined) checks.push(['lake.endpoint', () => parseEndpoint(endpoint)]);
  }
  return checks;
}

/** Writes settings.json atomically; refuses (BAD_INPUT) a URL that carries a secret or an S3 lake URL or endpoint that is not valid. */
export async function writeSettingsFile(file: string, settings: WorkspaceSettings): Promise<void> {
  const checked = FileSchema.parse(settings);
  for (const [, check] of checksOf(checked)) check();
  await writeFileAtomic(file, `${JSON.stringify(checked, null, 2)}\n`, 0o600);
}

/** Saves one part of settings.json, keeping the rest; never overwrites a file that could not be read (BAD_INPUT saying `what` was not saved). */
export async function patchSettings(file: string, patch: Partial<WorkspaceSettings>, what: string): Promise<void> {
  let current: WorkspaceSettings | null;
  try {
    current = await readSettingsFile(file);
  } catch (err) {
    // Its hot store and lake would be lost.
    throw new WorkbenchError('BAD_INPUT', `${errorMessage(err)} ${what} was not saved.`);
  }
  await writeSettingsFile(file, { ...(current ?? DEFAULT_SETTINGS), ...patch });
}
