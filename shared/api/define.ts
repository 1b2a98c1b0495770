import type { z } from 'zod';
import type { Result } from './errors';

/**
 * One method of a service: the zod schema that validates its request where it enters
 * the core, and (as a phantom type) what it resolves to.
 */
export interface MethodSpec<Req extends z.ZodType = z.ZodType, Res = unknown> {
  readonly request: Req;
  /** Phantom: never set at run time. */
  readonly response?: Res;
}

/** `method<Res>()(RequestSchema)`: declares a method once; the type of its result rides along. */
export function method<Res>() {
  return <Req extends z.ZodType>(request: Req): MethodSpec<Req, Res> => ({ request });
}

export type ServiceSpec = Record<string, MethodSpec>;
export type ContractSpec = Record<string, ServiceSpec>;

export type RequestOf<M> = M extends MethodSpec<infer Req, unknown> ? z.output<Req> : never;
export type RequestInputOf<M> = M extends MethodSpec<infer Req, unknown> ? z.input<Req> : never;
export type ResponseOf<M> = M extends MethodSpec<z.ZodType, infer Res> ? Res : never;

/** What the core implements for a service: validated requests in, plain values out (throw WorkbenchError to fail). */
export type ServiceImpl<S extends ServiceSpec> = {
  [K in keyof S]: (request: RequestOf<S[K]>, context: CallContext) => Promise<ResponseOf<S[K]>>;
};

/** What a client sees: raw request in, a Result out. Errors are values, never thrown. */
export type ServiceClient<S extends ServiceSpec> = {
  [K in keyof S]: (request: RequestInputOf<S[K]>) => Promise<Result<ResponseOf<S[K]>>>;
};

export type ContractImpl<C extends ContractSpec> = { [S in keyof C]: ServiceImpl<C[S]> };
export type ContractClient<C extends ContractSpec> = { [S in keyof C]: ServiceClient<C[S]> };

/** Who is calling; transports fill it in. */
export interface CallContext {
  transport: 'ipc' | 'web' | 'cli' | 'test' | 'schedule';
}

/** The one place channel names are made: `<service>.<method>`. */
export function channelName(service: string, methodName: string): string {
  return `${service}.${methodName}`;
}

const CHANNEL_NAME = /^[A-Za-z][A-Za-z0-9]*\.[A-Za-z][A-Za-z0-9]*$/;

/**
 * The one check of a channel or event name from outside (`service.method`, at most 200 characters), shared by the preload,
 * the desktop's IPC handler and the web host; the dispatcher then looks the name up in the contract.
 */
export function isChannelName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 200 && CHANNEL_NAME.test(value);
}

/** The Electron IPC channels between the preload and the main process. */
export const IPC_CHANNELS = { invoke: 'workbench:invoke', event: 'workbench:event', reveal: 'workbench:reveal' } as const;

export function listChannels(contract: ContractSpec): { service: string; method: string; channel: string }[] {
  const out: { service: string; method: string; channel: string }[] = [];
  for (const service of Object.keys(contract)) {
    for (const m of Object.keys(contract[service])) out.push({ service, method: m, channel: channelName(service, m) });
  }
  return out;
}
