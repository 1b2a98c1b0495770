import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { WorkbenchError } from '../../../shared/api/errors';
import {
  BUILTIN_FEATURE_SETS,
  FEATURE_VERSION_KIND,
  checkDefinition,
  definitionText,
  featureFolder,
  type FeatureSetDefinition,
  type FeatureSetVersion,
} from '../../../shared/domain/features';
import type { Lake } from '../lake/lake';
import { FEATURES_DATASET } from './feature-views';

/**
 * The versions of the feature sets, kept in the lake beside their files: `features/<set>/v<N>/_definition.json`
 * holds the definition as it was when version N was made, so an old version's SQL stays readable (and its files
 * explained) after the code moved on. A definition whose hash no stored version has becomes the next version.
 * Each file is published no-clobber: two writers never give one number to two definitions.
 */

export const DEFINITION_FILE = '_definition.json';

/** `sha256:<hex>` of the definition's normalized text. */
export function definitionHash(def: FeatureSetDefinition): string {
  return `sha256:${createHash('sha256').update(definitionText(def)).digest('hex')}`;
}

export function definitionKey(name: string, version: number): string {
  return `${featureFolder(name, version)}/${DEFINITION_FILE}`;
}

function parseVersion(bytes: Uint8Array): FeatureSetVersion | null {
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes)) as Partial<FeatureSetVersion>;
    return v.kind === FEATURE_VERSION_KIND &&
      typeof v.version === 'number' &&
      typeof v.hash === 'string' &&
      typeof v.definition === 'object'
      ? (v as FeatureSetVersion)
      : null;
  } catch {
    return null;
  }
}

/** The stored versions of a set, oldest first (v1, v2, ... while each exists). */
export async function storedVersions(lake: Lake, name: string): Promise<FeatureSetVersion[]> {
  const out: FeatureSetVersion[] = [];
  for (let n = 1; ; n++) {
    const key = definitionKey(name, n);
    if (!(await lake.exists(key))) break;
    const v = parseVersion(await lake.read(key));
    if (v === null) throw new WorkbenchError('LAKE_ERROR', `${key} in the lake is not a feature-set definition.`);
    out.push(v);
  }
  return out;
}

/** The names of the sets with a stored version in the lake (a set whose definition left the code stays listed). */
export async function storedSetNames(lake: Lake): Promise<string[]> {
  const names = new Set<string>();
  for (const e of await lake.listEntries(FEATURES_DATASET)) {
    const parts = e.key.split('/');
    if (parts.length === 4 && parts[3] === DEFINITION_FILE && /^v1$/.test(parts[2])) names.add(parts[1]);
  }
  return [...names].sort();
}

/** The definitions of a workspace (the built-in sets), by name. */
export function currentDefinitions(): Map<string, FeatureSetDefinition> {
  return new Map(BUILTIN_FEATURE_SETS.map((d) => [d.name, d]));
}

/** The stored version of this definition, made (the next number) when no stored version has its hash. */
export async function ensureVersion(lake: Lake, def: FeatureSetDefinition): Promise<{ version: FeatureSetVersion; created: boolean }> {
  const problems = checkDefinition(def);
  if (problems.length > 0) throw new WorkbenchError('BAD_INPUT', `The feature set ${def.name} is not valid: ${problems.join('; ')}.`);
  const hash = definitionHash(def);
  const versions = await storedVersions(lake, def.name);
  const same = versions.find((v) => v.hash === hash);
  if (same) return { version: same, created: false };
  const version: FeatureSetVersion = {
    kind: FEATURE_VERSION_KIND,
    version: versions.length + 1,
    hash,
    createdAt: new Date().toISOString(),
    definition: def,
  };
  const staged = await lake.stage(definitionKey(def.name, version.version));
  try {
    await writeFile(staged.path, `${JSON.stringify(version, null, 2)}\n`, { flush: true });
    await lake.publish(staged);
  } catch (err) {
    await lake.discard(staged);
    throw err;
  }
  return { version, created: true };
}

/** A stored version by number, or a NOT_FOUND error naming the versions there are. */
export async function requireVersion(lake: Lake, name: string, version: number): Promise<FeatureSetVersion> {
  const versions = await storedVersions(lake, name);
  const v = versions.find((x) => x.version === version);
  if (v) return v;
  const have = versions.length === 0 ? 'none yet (materialize it first)' : versions.map((x) => `v${x.version}`).join(', ');
  throw new WorkbenchError('NOT_FOUND', `The feature set ${name} has no version v${version}; it has ${have}.`);
}
