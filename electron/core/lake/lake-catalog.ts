import type { DuckDBConnection } from '@duckdb/node-api';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { inTransaction, insertObjects, queryRows } from '../engine/duck-query';
import { INTERNAL_SCHEMA } from '../engine/history';
import { datasetOfKey, isReservedFolder, partitionOf, type Lake, type LakeFile } from './lake';
import { sqlPathList } from './lake-sql';
import { liveFiles, tierRecordOf, type BatchManifest } from './manifest';

const FILES = qualifiedName(INTERNAL_SCHEMA, 'lake_catalog');
const ABSORBED = qualifiedName(INTERNAL_SCHEMA, 'lake_catalog_manifest');
const STATE = qualifiedName(INTERNAL_SCHEMA, 'lake_catalog_state');

/** A catalogued lake file: what the views need to read it without opening it. */
export interface CatalogFile extends LakeFile {
  /** Its columns (name and DuckDB type, in file order), as read from its footer once; null: not readable yet. */
  sig: string | null;
  /** The storage tier a lifecycle move recorded for it; null: the lake's first (where files land). */
  tier: string | null;
}

/** What a catalog sync did. */
export interface CatalogSync {
  /** Rebuilt from the whole lake (a new catalog, another lake, `lake check --repair`). */
  rebuilt: boolean;
  /** Datasets catalogued again from their manifests because a manifest the catalog had taken in is gone. */
  recatalogued: string[];
  /** Manifests taken in. */
  manifests: number;
}

/** The difference between the catalog and the manifests' live set (the lake check's comparison). */
export interface CatalogDrift {
  /** Live per the manifests, not in the catalog. */
  missing: string[];
  /** In the catalog as live, not live per the manifests. */
  extra: string[];
}

/** `_manifests/<dataset>/<batch>.json` → `<dataset>`. */
function manifestDataset(key: string): string {
  return key.split('/')[1] ?? '';
}

/**
 * Columns of each file by its footer, `name<US>type` joined by `<RS>`, in file order: files with the same
 * signature are read by one `read_parquet` (see views.ts). A file that cannot be read has no entry.
 */
export async function schemaSignatures(conn: DuckDBConnection, paths: readonly string[]): Promise<Map<string, string>> {
  if (paths.length === 0) return new Map();
  const read = async (list: readonly string[]): Promise<[string, string][]> =>
    (
      await queryRows(
        conn,
        `SELECT file_name AS f, string_agg(name || chr(31) || duckdb_type, chr(30) ORDER BY column_id) AS sig ` +
          `FROM parquet_schema(${sqlPathList(list)}) WHERE num_children IS NULL OR num_children = 0 GROUP BY file_name`,
      )
    ).map((r) => [String(r.f), String(r.sig)]);
  try {
    return new Map(await read(paths));
  } catch {
    // One unreadable file fails the whole call: read them one by one, leaving that one out.
    const out = new Map<string, string>();
    for (const p of paths) for (const [f, sig] of await read([p]).catch(() => [])) out.set(f, sig);
    return out;
  }
}

/**
 * The workspace's catalog of the lake's files, in its DuckDB database: per live file its key, dataset, day, size,
 * rows and column signature. The views are made from it, so opening a workspace lists no data folder and reads no
 * Parquet footer. The manifests are the truth and the catalog a cache of them:
 * - `sync` is the cheap staleness check, run at open and by every job that writes the lake in the step where it
 *   refreshes the views: it lists the manifest keys only (a local lake's `_manifests/` folders; an S3 lake's index,
 *   refreshed from S3 at open and at every pull), reads the manifests it has not taken in yet (another workspace's
 *   writes included), applies them (new files in, replaced and withdrawn files out, as tombstones so the order of
 *   manifests does not matter) and reads the footers of the new files only. A manifest it had taken in that is gone
 *   (a dataset removed) has that dataset catalogued again from its manifests.
 * - `rebuild` starts over from the whole lake: a catalog that is new or was made for another lake, and `lake check
 *   --repair`. A dataset no manifest names (written before manifests existed) is catalogued from its listing there,
 *   and its files are kept at later rebuilds while they exist.
 * - `drift` compares it with the manifests' live set (`lake check`).
 */
export class LakeCatalog {
  constructor(
    private readonly conn: DuckDBConnection,
    private readonly lake: Lake,
  ) {}

  static async ensure(conn: DuckDBConnection): Promise<void> {
    await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(INTERNAL_SCHEMA)}`);
    await conn.run(
      `CREATE TABLE IF NOT EXISTS ${FILES} (key VARCHAR PRIMARY KEY, dataset VARCHAR NOT NULL, day VARCHAR, bytes BIGINT NOT NULL,
         rows BIGINT, modified_at TIMESTAMPTZ, source VARCHAR NOT NULL, gone BOOLEAN NOT NULL DEFAULT false, sig VARCHAR)`,
    );
    await conn.run(`ALTER TABLE ${FILES} ADD COLUMN IF NOT EXISTS tier VARCHAR`);
    await conn.run(`CREATE TABLE IF NOT EXISTS ${ABSORBED} (key VARCHAR PRIMARY KEY, dataset VARCHAR NOT NULL)`);
    await conn.run(`CREATE TABLE IF NOT EXISTS ${STATE} (lake VARCHAR NOT NULL, built_at TIMESTAMPTZ NOT NULL)`);
  }

  /** The catalogued live files of a dataset (plus the `keep` keys, e.g. originals a compaction has not switched from yet), in key order. */
  async files(dataset: string, keep: ReadonlySet<string> = new Set()): Promise<CatalogFile[]> {
    const rows = await queryRows(
      this.conn,
      `SELECT key, bytes, rows, epoch_ms(modified_at) AS m, gone, sig, tier FROM ${FILES} WHERE dataset = $1 ORDER BY key`,
      [dataset],
    );
    return rows
      .filter((r) => r.gone !== true || keep.has(String(r.key)))
      .map((r) => ({
        key: String(r.key),
        dataset,
        partition: partitionOf(String(r.key)),
        size: Number(r.bytes),
        ...(r.rows === null ? {} : { rows: Number(r.rows) }),
        modifiedAt: new Date(r.m === null ? 0 : Number(r.m)),
        sig: r.sig === null ? null : String(r.sig),
        tier: r.tier === null || r.tier === undefined ? null : String(r.tier),
      }));
  }

  /**
   * Each dataset's live catalogued files, counted and summed, with the newest one's time (bookkeeping such as the master
   * snapshots is not a dataset): one query for what `files` would give dataset by dataset.
   */
  async summary(): Promise<Map<string, { files: number; bytes: number; newest: Date }>> {
    const rows = await queryRows(
      this.conn,
      `SELECT dataset, count(*) AS n, sum(bytes) AS b, max(coalesce(epoch_ms(modified_at), 0)) AS m FROM ${FILES} WHERE NOT gone GROUP BY dataset`,
    );
    return new Map(
      rows
        .filter((r) => !isReservedFolder(String(r.dataset)))
        .map((r) => [String(r.dataset), { files: Number(r.n), bytes: Number(r.b ?? 0), newest: new Date(Number(r.m)) }]),
    );
  }

  /** The datasets with live catalogued files (as Lake.datasets: bookkeeping such as the master snapshots is not one). */
  async datasets(): Promise<string[]> {
    const rows = await queryRows(this.conn, `SELECT DISTINCT dataset FROM ${FILES} WHERE NOT gone ORDER BY dataset`);
    return rows.map((r) => String(r.dataset)).filter((d) => !isReservedFolder(d));
  }

  /** Brings the catalog up to the manifests of `datasets` (default: the whole lake); see the class comment. */
  async sync(datasets?: readonly string[]): Promise<CatalogSync> {
    const state = await queryRows(this.conn, `SELECT lake FROM ${STATE}`);
    if (state.length !== 1 || state[0].lake !== this.lake.location) return this.rebuild();
    if (datasets !== undefined && datasets.length === 0) return { rebuilt: false, recatalogued: [], manifests: 0 };
    const keys =
      datasets === undefined ? await this.lake.manifestKeys() : (await Promise.all(datasets.map((d) => this.lake.manifestKeys(d)))).flat();
    const inScope = (ds: string): boolean => datasets === undefined || datasets.includes(ds);
    const absorbed = (await queryRows(this.conn, `SELECT key, dataset FROM ${ABSORBED}`)).filter((r) => inScope(String(r.dataset)));
    const present = new Set(keys);
    const lost = [...new Set(absorbed.filter((r) => !present.has(String(r.key))).map((r) => String(r.dataset)))];
    const known = new Set(absorbed.filter((r) => !lost.includes(String(r.dataset))).map((r) => String(r.key)));
    const fresh = await this.readManifests(keys.filter((k) => !known.has(k)));
    if (fresh.length > 0 || lost.length > 0) {
      await inTransaction(this.conn, async () => {
        for (const ds of lost) {
          await this.conn.run(`DELETE FROM ${FILES} WHERE dataset = $1 AND source = 'manifest'`, [ds]);
          await this.conn.run(`DELETE FROM ${ABSORBED} WHERE dataset = $1`, [ds]);
        }
        await this.absorb(fresh);
      });
    }
    await this.fillSignatures(datasets);
    return { rebuilt: false, recatalogued: lost, manifests: fresh.length };
  }

  /** The catalog made again from the whole lake (its listing read once: datasets without manifests are catalogued from it). */
  async rebuild(): Promise<CatalogSync> {
    const keys = await this.lake.manifestKeys();
    const manifests = await this.readManifests(keys);
    const withManifests = new Set(keys.map(manifestDataset));
    const legacy: LakeFile[] = [];
    for (const ds of await this.lake.datasets()) if (!withManifests.has(ds)) legacy.push(...(await this.lake.list(ds)));
    // Files catalogued from a listing before (a dataset written before manifests, converted into again since) stay while they exist.
    const listedBefore = await queryRows(
      this.conn,
      `SELECT key, dataset, day, bytes, rows, modified_at FROM ${FILES} WHERE source = 'listed'`,
    );
    const kept: Record<string, unknown>[] = [];
    for (const r of listedBefore) {
      if (!legacy.some((f) => f.key === r.key) && (await this.lake.exists(String(r.key))))
        kept.push({ ...r, source: 'listed', gone: false });
    }
    await inTransaction(this.conn, async () => {
      await this.conn.run(`DELETE FROM ${FILES}`);
      await this.conn.run(`DELETE FROM ${ABSORBED}`);
      await this.conn.run(`DELETE FROM ${STATE}`);
      await this.absorb(manifests);
      await insertObjects(
        this.conn,
        FILES,
        ['key', 'dataset', 'day', 'bytes', 'rows', 'modified_at', 'source', 'gone'],
        [
          ...legacy.map((f) => ({
            key: f.key,
            dataset: f.dataset,
            day: f.partition.date ?? null,
            bytes: f.size,
            rows: f.rows ?? null,
            modified_at: f.modifiedAt.toISOString(),
            source: 'listed',
            gone: false,
          })),
          ...kept,
        ],
      );
      await this.conn.run(`INSERT INTO ${STATE} (lake, built_at) VALUES ($1, now())`, [this.lake.location]);
    });
    await this.fillSignatures(undefined);
    return { rebuilt: true, recatalogued: [], manifests: manifests.length };
  }

  /** The catalog against the manifests' live set of `dataset` (default: the whole lake); empty lists: they agree. */
  async drift(dataset?: string): Promise<CatalogDrift> {
    const live = liveFiles(await this.lake.manifests(dataset));
    const rows = await queryRows(
      this.conn,
      `SELECT key FROM ${FILES} WHERE NOT gone AND source = 'manifest'${dataset === undefined ? '' : ' AND dataset = $1'} ORDER BY key`,
      dataset === undefined ? [] : [dataset],
    );
    const catalogued = new Set(rows.map((r) => String(r.key)));
    return {
      missing: [...live.keys()].filter((k) => !catalogued.has(k)).sort(),
      extra: [...catalogued].filter((k) => !live.has(k)),
    };
  }

  private async readManifests(keys: readonly string[]): Promise<{ key: string; manifest: BatchManifest }[]> {
    const out: { key: string; manifest: BatchManifest }[] = [];
    for (const key of keys) {
      // An unreadable manifest is not taken in (the lake check reports it); it is tried again at the next sync.
      const manifest = await this.lake.readManifest(key);
      if (manifest) out.push({ key, manifest });
    }
    return out;
  }

  /** New files in, replaced and withdrawn files out (kept as tombstones: a manifest read later never brings them back). */
  private async absorb(manifests: readonly { key: string; manifest: BatchManifest }[]): Promise<void> {
    if (manifests.length === 0) return;
    const gone = new Set(manifests.flatMap(({ manifest: m }) => [...(m.replaces ?? []), ...(m.withdraws ?? [])]));
    const existing = new Set((await queryRows(this.conn, `SELECT key FROM ${FILES}`)).map((r) => String(r.key)));
    const rows = new Map<string, Record<string, unknown>>();
    for (const { manifest: m } of manifests) {
      for (const f of m.files) {
        if (existing.has(f.key)) continue;
        rows.set(f.key, {
          key: f.key,
          dataset: datasetOfKey(f.key),
          day: partitionOf(f.key).date ?? null,
          bytes: f.bytes,
          rows: f.rows,
          modified_at: m.writtenAt || null,
          source: 'manifest',
          gone: gone.has(f.key),
        });
      }
    }
    for (const k of gone) {
      if (existing.has(k)) await this.conn.run(`UPDATE ${FILES} SET gone = true WHERE key = $1`, [k]);
      else if (!rows.has(k)) rows.set(k, { key: k, dataset: datasetOfKey(k), bytes: 0, source: 'manifest', gone: true });
    }
    await insertObjects(this.conn, FILES, ['key', 'dataset', 'day', 'bytes', 'rows', 'modified_at', 'source', 'gone'], [...rows.values()]);
    // Tier records (lifecycle moves), oldest first: a file's latest move says where it is.
    for (const { manifest: m } of [...manifests].sort((a, b) => String(a.manifest.writtenAt).localeCompare(String(b.manifest.writtenAt))))
      for (const [key, tier] of Object.entries(tierRecordOf(m)))
        await this.conn.run(`UPDATE ${FILES} SET tier = $2 WHERE key = $1`, [key, tier]);
    await insertObjects(
      this.conn,
      ABSORBED,
      ['key', 'dataset'],
      manifests.map(({ key }) => ({ key, dataset: manifestDataset(key) })),
    );
  }

  /** Reads the footers of live files not read yet (new ones; an S3 lake's once they are cached; a missing one again next time). */
  private async fillSignatures(datasets: readonly string[] | undefined): Promise<void> {
    const rows = (await queryRows(this.conn, `SELECT key, dataset FROM ${FILES} WHERE sig IS NULL AND NOT gone`)).filter(
      (r) => datasets === undefined || datasets.includes(String(r.dataset)),
    );
    if (rows.length === 0) return;
    const readable = await this.lake.cached(rows.map((r) => String(r.key)));
    const keyOf = new Map([...readable].map((k) => [this.lake.localPath(k), k]));
    const sigs = await schemaSignatures(this.conn, [...keyOf.keys()]);
    if (sigs.size === 0) return;
    const temp = 'temp.main.bw_catalog_sig';
    await this.conn.run(`CREATE OR REPLACE TEMP TABLE bw_catalog_sig (key VARCHAR, sig VARCHAR)`);
    try {
      await insertObjects(
        this.conn,
        temp,
        ['key', 'sig'],
        [...sigs].map(([path, sig]) => ({ key: keyOf.get(path), sig })),
      );
      await this.conn.run(`UPDATE ${FILES} SET sig = s.sig FROM ${temp} s WHERE ${FILES}.key = s.key`);
    } finally {
      await this.conn.run(`DROP TABLE IF EXISTS ${temp}`);
    }
  }
}
