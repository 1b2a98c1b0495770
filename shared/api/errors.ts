import type { QualityWarning, RejectedRow } from './convert';
/**
 * Errors travel as values. Every code the core can return lives here, with the
 * default advice a user sees next to the message.
 */
export const ERROR_CODES = {
  INVALID_REQUEST: 'The request did not match the contract. Check the named field.',
  UNKNOWN_METHOD: 'The client asked for a method the core does not have. Update the client.',
  SQL_ERROR: 'Fix the SQL and run it again.',
  CANCELLED: 'The work was cancelled; nothing was kept from it.',
  NOT_FOUND: 'The thing asked for does not exist (any more). Refresh and try again.',
  WORKSPACE_LOCKED: 'Another process holds this workspace. Close it or choose another workspace.',
  HOT_UNAVAILABLE: 'PostgreSQL could not be reached. Start it or check the connection settings.',
  LAKE_ERROR: 'The Parquet lake could not be read or written. Check the folder and free space.',
  LAKE_OFFLINE: 'The S3 lake cannot be reached. Everything the local cache covers still works; jobs that need S3 run once it is back.',
  BAD_INPUT: 'The input could not be used. See the detail for the file, line and reason.',
  READ_ONLY: 'The session is read-only, so nothing was changed. Allow writes explicitly to change data.',
  CONFLICT: 'Another job is already doing this. Wait for it or cancel it.',
  UNAUTHORIZED: 'The request lacked a valid token.',
  INTERNAL: 'An unexpected error. The detail says where; please report it.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Structured facts an error carries, typed (never JSON inside `detail`). */
export interface ErrorData {
  /** A conversion's bad rows (the first 1,000) and how many there were in all. */
  rejects?: { rows: RejectedRow[]; total: number };
  /** A strict conversion's quality warnings, which failed it. */
  warnings?: QualityWarning[];
}

export interface ApiError {
  code: ErrorCode;
  /** Says what failed and why, in words a user understands. */
  message: string;
  /** Optional extra facts: a field path, a file and line, the underlying error text. */
  detail?: string;
  data?: ErrorData;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, detail?: string): { ok: false; error: ApiError } {
  return detail === undefined ? { ok: false, error: { code, message } } : { ok: false, error: { code, message, detail } };
}

/** An Error subclass the core throws when it wants a specific code to reach the caller. */
export class WorkbenchError extends Error {
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly data?: ErrorData;
  constructor(code: ErrorCode, message: string, detail?: string, data?: ErrorData) {
    super(message);
    this.name = 'WorkbenchError';
    this.code = code;
    if (detail !== undefined) this.detail = detail;
    if (data !== undefined) this.data = data;
  }
}

/** Anything thrown, as the error value the core answers with: a WorkbenchError as it is, anything else INTERNAL. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof WorkbenchError) {
    return {
      code: err.code,
      message: err.message,
      ...(err.detail !== undefined ? { detail: err.detail } : {}),
      ...(err.data ? { data: err.data } : {}),
    };
  }
  const message = errorMessage(err);
  return { code: 'INTERNAL', message: message || 'Unknown error', ...(err instanceof Error ? { detail: err.name } : {}) };
}

export function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (value as { code: string }).code in ERROR_CODES &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** The text of anything thrown: an Error's message, else its string form. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
