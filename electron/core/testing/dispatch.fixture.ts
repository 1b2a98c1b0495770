import type { Result } from '../../../shared/api/errors';
import type { Workbench } from '../workbench';

/**
 * A workbench's dispatcher as tests call it: `call` returns the result envelope, `ok` the value (throwing the
 * error's code and message otherwise). `wb` is read at each call, so a test can open its workbench in beforeAll.
 */
export function dispatcher(wb: () => Workbench): {
  call: <T>(channel: string, request: unknown) => Promise<Result<T>>;
  ok: <T>(channel: string, request: unknown) => Promise<T>;
} {
  const call = async <T>(channel: string, request: unknown): Promise<Result<T>> =>
    (await wb().dispatch(channel, request, { transport: 'test' })) as Result<T>;
  const ok = async <T>(channel: string, request: unknown): Promise<T> => {
    const r = await call<T>(channel, request);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value;
  };
  return { call, ok };
}
