import { createClient } from '../../shared/api/client';
import { contract, type WorkbenchApi } from '../../shared/api/contract';
import { createTransport } from './transports';

/** The renderer's one typed client, over IPC in the desktop app and HTTP in the browser. */
export const transport = createTransport();
export const api: WorkbenchApi = createClient(contract, transport);
