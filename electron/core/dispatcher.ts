import type { z } from 'zod';
import { channelName, type CallContext, type ContractImpl, type ContractSpec } from '../../shared/api/define';
import { traced } from './system/startup-trace';
import { fail, ok, toApiError, type ApiError, type Result } from '../../shared/api/errors';

export type Dispatch = (channel: string, request: unknown, context: CallContext) => Promise<Result<unknown>>;

/**
 * The one dispatcher: Electron IPC, the web host and the CLI all call through it.
 * It validates every request against the contract's schema (callers are untrusted),
 * calls the implementation, and turns anything thrown into an error value.
 */
export function createDispatcher<C extends ContractSpec>(contract: C, impl: ContractImpl<C>): Dispatch {
  const table = new Map<string, { schema: z.ZodType; handler: (req: unknown, ctx: CallContext) => Promise<unknown> }>();
  for (const service of Object.keys(contract)) {
    const serviceImpl = impl[service] as Record<string, (req: unknown, ctx: CallContext) => Promise<unknown>>;
    for (const m of Object.keys(contract[service])) {
      const handler = serviceImpl[m];
      if (typeof handler !== 'function') throw new Error(`Core does not implement ${channelName(service, m)}`);
      table.set(channelName(service, m), { schema: contract[service][m].request, handler: handler.bind(serviceImpl) });
    }
  }

  return async (channel, request, context) => {
    const entry = table.get(channel);
    if (!entry) return fail('UNKNOWN_METHOD', `There is no method named "${String(channel).slice(0, 200)}".`);
    const parsed = entry.schema.safeParse(request ?? {});
    if (!parsed.success) return fail('INVALID_REQUEST', describeZodError(channel, parsed.error));
    try {
      return ok(await traced(`call ${channel}`, () => entry.handler(parsed.data, context)));
    } catch (err) {
      return toErrorValue(err);
    }
  };
}

export function describeZodError(channel: string, error: z.ZodError): string {
  const first = error.issues[0];
  const path = first && first.path.length > 0 ? first.path.join('.') : '(request)';
  return `Invalid request to ${channel}: ${path} ${first ? first.message : 'is invalid'}`;
}

export function toErrorValue(err: unknown): { ok: false; error: ApiError } {
  return { ok: false, error: toApiError(err) };
}
