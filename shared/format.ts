/**
 * Pure display helpers shared by the renderer and the CLI. Values arrive as the Arrow
 * window decodes them (number, bigint, boolean, string, null); the DuckDB type text says
 * how to show them. Nothing here rounds a value the engine sent exactly.
 */

/** Text of one cell. `null`/`undefined` show as `NULL`; strings are shown verbatim (never as HTML). */
export function formatCell(value: unknown, duckdbType: string): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return formatNumber(value, duckdbType);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid date' : value.toISOString();
  if (value instanceof Uint8Array) return formatBlob(value);
  return stringifyStructured(value);
}

function formatNumber(value: number, duckdbType: string): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Object.is(value, -0)) return '-0.0';
  const type = duckdbType.trim().toUpperCase();
  if (type === 'FLOAT' || type === 'REAL' || type === 'FLOAT4') return shortestFloat32(value);
  if (type === 'DOUBLE' || type === 'FLOAT8') return Number.isInteger(value) && Math.abs(value) < 1e16 ? `${value}.0` : String(value);
  return String(value);
}

/** A float32 widened to a double prints as 0.10000000149011612; show the shortest text that reads back as the same float32. */
function shortestFloat32(value: number): string {
  const f = Math.fround(value);
  for (let p = 1; p <= 9; p++) {
    const text = f.toPrecision(p);
    if (Math.fround(Number(text)) === f) {
      const n = Number(text);
      return Number.isInteger(n) && Math.abs(n) < 1e16 ? `${n}.0` : String(n);
    }
  }
  return String(f);
}

function formatBlob(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function stringifyStructured(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/** 1536 → `1.5 KB` (1024-based). Negative or non-finite input shows as given. */
export function formatBytes(bytes: number | bigint): string {
  const n = typeof bytes === 'bigint' ? Number(bytes) : bytes;
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  let unit = 0;
  while (v >= 1024 && unit < BYTE_UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  if (unit === 0) return `${sign}${v} B`;
  const text = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return `${sign}${text} ${BYTE_UNITS[unit]}`;
}

/** 850 → `850 ms`, 1234 → `1.23 s`, 125000 → `2 min 5 s`, 3723000 → `1 h 2 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)} min ${totalSeconds % 60} s`;
  const totalMinutes = Math.round(totalSeconds / 60);
  if (totalMinutes < 24 * 60) return `${Math.floor(totalMinutes / 60)} h ${totalMinutes % 60} min`;
  const totalHours = Math.round(totalMinutes / 60);
  return `${Math.floor(totalHours / 24)} d ${totalHours % 24} h`;
}

/** 1234567 → `1,234,567` (same output in every locale; bigint stays exact). */
export function formatCount(count: number | bigint): string {
  if (typeof count === 'number' && !Number.isFinite(count)) return String(count);
  const text = typeof count === 'bigint' ? count.toString() : Math.trunc(count).toString();
  const negative = text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return negative ? `-${grouped}` : grouped;
}

/** `2025-03-08 02:15:04 UTC` from an ISO time (any fraction dropped): how the app writes a moment everywhere; anything else as given. */
export function formatUtc(iso: string | null | undefined): string {
  if (!iso) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}
