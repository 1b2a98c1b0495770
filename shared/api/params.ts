import { z } from 'zod';

export const PARAM_TYPES = ['text', 'integer', 'number', 'date', 'timestamp', 'choice'] as const;
export const ParamType = z.enum(PARAM_TYPES);
export type ParamType = z.infer<typeof ParamType>;

/** A DuckDB named parameter (`$site` is `site`). */
export const ParamName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a parameter name: letters, digits or _, not starting with a digit');

/** A parameter's declared type; a choice list's values are the first column of `choicesSql`, run in the workspace. */
export const ParamDecl = z
  .object({ name: ParamName, type: ParamType, choicesSql: z.string().min(1).max(100_000).optional() })
  .superRefine((decl, ctx) => {
    if (decl.type === 'choice' && !decl.choicesSql?.trim())
      ctx.addIssue({ code: 'custom', message: `of $${decl.name} is a choice list: give the SQL whose first column lists the choices` });
    if (decl.type !== 'choice' && decl.choicesSql !== undefined)
      ctx.addIssue({ code: 'custom', message: `of $${decl.name}: only a choice list takes a choices query` });
  });
export type ParamDecl = z.infer<typeof ParamDecl>;

/** A parameter's value as JSON; bound as a prepared-statement value, never put into the SQL text. */
export const ParamValue = z.union([z.string().max(1_000_000), z.number(), z.boolean(), z.null()]);
export type ParamValue = z.infer<typeof ParamValue>;

export const ParamValues = z.record(ParamName, ParamValue);
export type ParamValues = z.infer<typeof ParamValues>;

export const ParamDecls = z
  .array(ParamDecl)
  .max(50)
  .superRefine((decls, ctx) => {
    const seen = new Set<string>();
    for (const d of decls) {
      if (seen.has(d.name)) ctx.addIssue({ code: 'custom', message: `declares $${d.name} twice` });
      seen.add(d.name);
    }
  });

/** A parameter's value checked against its type, ready to bind (the core maps `kind` to the DuckDB type). */
export type CheckedValue =
  | { kind: 'null' }
  | { kind: 'text'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'integer'; value: bigint }
  | { kind: 'number'; value: number }
  /** Days since 1970-01-01. */
  | { kind: 'date'; value: number }
  /** Microseconds since 1970-01-01 00:00:00. */
  | { kind: 'timestamp'; value: bigint };

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?Z?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Days since the epoch of a real calendar date, or null (2025-02-30 is not one). */
function epochDays(y: number, m: number, d: number): number | null {
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return null;
  return Math.round(ms / 86_400_000);
}

function describe(value: ParamValue): string {
  return typeof value === 'string' ? JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value) : String(value);
}

/**
 * A value for the parameter `name` checked against its declared type (or, undeclared, taken as its JSON type).
 * Returns the value to bind, or throws an Error that names the parameter, the value and the form it needs. A choice
 * list's membership is checked by the caller (it needs the workspace); here its value is text.
 */
export function checkParamValue(name: string, type: ParamType | undefined, value: ParamValue): CheckedValue {
  if (value === null) return { kind: 'null' };
  const bad = (needs: string): Error => new Error(`The parameter $${name} must be ${needs}, not ${describe(value)}.`);
  const text = typeof value === 'string' ? value.trim() : String(value);
  switch (type) {
    case undefined:
      if (typeof value === 'boolean') return { kind: 'boolean', value };
      if (typeof value === 'number')
        return Number.isSafeInteger(value) ? { kind: 'integer', value: BigInt(value) } : { kind: 'number', value };
      return { kind: 'text', value };
    case 'text':
    case 'choice':
      return { kind: 'text', value: typeof value === 'string' ? value : String(value) };
    case 'integer': {
      if (typeof value === 'boolean' || !INTEGER.test(text)) throw bad('a whole number (e.g. 42)');
      const n = BigInt(text);
      if (n < INT64_MIN || n > INT64_MAX) throw bad('a whole number that fits in 64 bits');
      return { kind: 'integer', value: n };
    }
    case 'number': {
      if (typeof value === 'boolean' || !NUMBER.test(text) || !Number.isFinite(Number(text))) throw bad('a number (e.g. 3.7)');
      return { kind: 'number', value: Number(text) };
    }
    case 'date': {
      const m = typeof value === 'string' ? DATE.exec(text) : null;
      const days = m ? epochDays(Number(m[1]), Number(m[2]), Number(m[3])) : null;
      if (days === null) throw bad('a date written YYYY-MM-DD (e.g. 2025-03-31)');
      return { kind: 'date', value: days };
    }
    case 'timestamp': {
      const m = typeof value === 'string' ? TIMESTAMP.exec(text) : null;
      const days = m ? epochDays(Number(m[1]), Number(m[2]), Number(m[3])) : null;
      const [h, min, s] = m ? [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)] : [0, 0, 0];
      if (!m || days === null || h > 23 || min > 59 || s > 59)
        throw bad('a timestamp written YYYY-MM-DD HH:MM[:SS] (e.g. 2025-03-31 14:05)');
      const micros = BigInt(((days * 24 + h) * 60 + min) * 60 + s) * 1_000_000n + BigInt((m[7] ?? '').padEnd(6, '0'));
      return { kind: 'timestamp', value: micros };
    }
  }
}
