import { readFile, rm } from 'node:fs/promises';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { writeFileAtomic } from '../files/atomic';
import type { SecretStore } from './secrets';

/** Encrypts and decrypts with a key the OS keeps (Electron safeStorage in the desktop app). */
export interface SecretCipher {
  /** Where the key lives, for messages (e.g. "the OS keychain"). */
  readonly description: string;
  /** Null when encryption is available, else why not (said to the user). */
  unavailableReason(): Promise<string | null>;
  encrypt(plainText: string): Promise<Uint8Array>;
  decrypt(cipherText: Uint8Array): Promise<string>;
}

/** The name of the encrypted blob inside the workspace. */
export const SECRETS_FILE = 'secrets.bin';

/**
 * Secrets as one encrypted blob file (name → value as JSON, then encrypted as a whole, so not even
 * the names are on disk in plain text). Written atomically with mode 0600.
 */
export class EncryptedFileSecretStore implements SecretStore {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly cipher: SecretCipher,
  ) {}

  get description(): string {
    return this.cipher.description;
  }

  async get(name: string): Promise<string | undefined> {
    return (await this.load())[name];
  }

  set(name: string, value: string): Promise<void> {
    return this.update(async (all) => {
      const reason = await this.cipher.unavailableReason();
      if (reason !== null) {
        throw new WorkbenchError(
          'BAD_INPUT',
          `The password could not be kept in ${this.cipher.description}: ${reason}. Nothing was saved; start the app with PGPASSWORD set instead.`,
        );
      }
      all[name] = value;
      return true;
    });
  }

  delete(name: string): Promise<void> {
    return this.update(async (all) => {
      if (!(name in all)) return false;
      delete all[name];
      return true;
    });
  }

  /** Read-modify-write, one at a time. */
  private update(change: (all: Record<string, string>) => Promise<boolean>): Promise<void> {
    const next = this.chain.then(async () => {
      const all = await this.load();
      if (!(await change(all))) return;
      if (Object.keys(all).length === 0) {
        await rm(this.file, { force: true });
        return;
      }
      await writeFileAtomic(this.file, await this.cipher.encrypt(JSON.stringify(all)), 0o600);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async load(): Promise<Record<string, string>> {
    let blob: Uint8Array;
    try {
      blob = await readFile(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new WorkbenchError('BAD_INPUT', `The secrets file ${this.file} could not be read.`, errorMessage(err));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(await this.cipher.decrypt(blob));
    } catch (err) {
      throw new WorkbenchError(
        'BAD_INPUT',
        `The secrets file ${this.file} could not be decrypted with ${this.cipher.description} (it may come from another user or machine). Enter the password again in Settings, or delete the file.`,
        errorMessage(err),
      );
    }
    const out: Record<string, string> = {};
    if (typeof parsed === 'object' && parsed !== null) {
      for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
    }
    return out;
  }
}
