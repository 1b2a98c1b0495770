import { api } from '../../api/client';
import type { Result } from '../../../shared/api/errors';
import type { SortKey } from '../../../shared/api/query';
import { decodeWindow, type DecodedWindow } from './arrowPage';

/** One query.window call, decoded. A window that cannot be decoded is an error value too. */
export async function fetchWindow(resultId: string, offset: number, limit: number, sort: SortKey[]): Promise<Result<DecodedWindow>> {
  const res = await api.query.window({ resultId, offset, limit, sort });
  if (!res.ok) return res;
  try {
    return { ok: true, value: decodeWindow(res.value.arrow) };
  } catch (err) {
    return {
      ok: false,
      error: { code: 'INTERNAL', message: 'A result window arrived but could not be decoded as Arrow.', detail: String(err) },
    };
  }
}
