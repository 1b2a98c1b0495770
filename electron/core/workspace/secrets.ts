/**
 * Where the workbench keeps secrets it must not write in plain text (the external PostgreSQL
 * password). The desktop app passes one backed by the OS keychain (Electron safeStorage); the web
 * host and the CLI have none and read PGPASSWORD instead.
 */
export interface SecretStore {
  /** Says where secrets go, for messages (e.g. "the OS keychain"). */
  readonly description: string;
  get(name: string): Promise<string | undefined>;
  /** Throws a WorkbenchError when the secret cannot be kept safely (e.g. no keychain on this machine). */
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

/** The one secret the workbench keeps today. */
export const HOT_PASSWORD_SECRET = 'hot.password';

/** Secrets held in memory for the life of the process (tests, or a caller that asks each time). */
export class MemorySecretStore implements SecretStore {
  readonly description = 'memory';
  private readonly values = new Map<string, string>();

  async get(name: string): Promise<string | undefined> {
    return this.values.get(name);
  }

  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }

  async delete(name: string): Promise<void> {
    this.values.delete(name);
  }
}
