import { channelName, type ContractClient, type ContractSpec } from './define';
import type { Result } from './errors';
import type { EventMap, EventName } from './contract';
import type { Transport } from './transport';

/** A typed client over any transport, built from the contract's keys: no method is listed by hand. */
export function createClient<C extends ContractSpec>(contract: C, transport: Transport): ContractClient<C> {
  const client: Record<string, Record<string, (request: unknown) => Promise<Result<unknown>>>> = {};
  for (const service of Object.keys(contract)) {
    const methods: Record<string, (request: unknown) => Promise<Result<unknown>>> = {};
    for (const m of Object.keys(contract[service])) {
      const channel = channelName(service, m);
      methods[m] = (request: unknown) => transport.invoke(channel, request ?? {});
    }
    client[service] = methods;
  }
  return client as ContractClient<C>;
}

export function subscribe<E extends EventName>(transport: Transport, event: E, listener: (payload: EventMap[E]) => void): () => void {
  return transport.subscribe(event, (payload) => listener(payload as EventMap[E]));
}
