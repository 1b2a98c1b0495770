import { join } from 'node:path';
import { safeStorage } from 'electron';
import { EncryptedFileSecretStore, SECRETS_FILE, type SecretCipher } from '../core/workspace/encrypted-secrets';
import type { SecretStore } from '../core/workspace/secrets';

/**
 * Electron safeStorage as the cipher: the key lives in the OS keychain (Keychain on macOS, DPAPI on
 * Windows, libsecret/KWallet on Linux). Linux without a keyring falls back to a hard-coded key
 * ("basic_text"), which is no protection: then passwords are refused and PGPASSWORD is the way.
 */
const safeStorageCipher: SecretCipher = {
  description: 'the OS keychain',
  async unavailableReason() {
    if (!(await safeStorage.isAsyncEncryptionAvailable())) return 'encryption is not available on this system';
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      return 'no keyring (GNOME Keyring or KWallet) is running, so the key would not be protected';
    }
    return null;
  },
  encrypt: (plainText) => safeStorage.encryptStringAsync(plainText),
  async decrypt(cipherText) {
    const { result } = await safeStorage.decryptStringAsync(Buffer.from(cipherText));
    return result;
  },
};

/** The desktop app's secret store for one workspace: `<workspace>/secrets.bin`, ciphertext only, mode 0600. */
export function createDesktopSecretStore(workspaceDir: string): SecretStore {
  return new EncryptedFileSecretStore(join(workspaceDir, SECRETS_FILE), safeStorageCipher);
}
