/**
 * Secrets in a PostgreSQL URL. A URL the workbench keeps (settings.json) or shows never carries one:
 * the password goes to the OS keychain (desktop) or PGPASSWORD, and key material stays in files the
 * URL does not name.
 *
 * A query parameter counts as secret when its name contains one of these, case-insensitively:
 * `pass` (password, passwd, passfile, sslpassword), `pwd`, `secret`, `token`, `key` (sslkey, the client's
 * private key file, and sslkeylogfile, where TLS session keys would be written). Public material stays
 * allowed: sslcert, sslrootcert, sslcrl, sslmode.
 */
const SECRET_PARAM = /pass|pwd|secret|token|key/i;

export function isSecretParam(name: string): boolean {
  return SECRET_PARAM.test(name);
}

/** What secrets a parsed URL carries, by name: `password` (user:password@) and any secret query parameter. */
export function secretsInUrl(url: URL): string[] {
  const found: string[] = [];
  if (url.password !== '') found.push('password');
  for (const name of new Set(url.searchParams.keys())) if (isSecretParam(name)) found.push(`${name}=`);
  return found;
}

/**
 * Why a PostgreSQL URL cannot be kept, naming each secret part and never its value; null when it carries none.
 * The same words in the core's refusal and the settings form.
 */
export function urlSecretProblem(url: URL): string | null {
  const found = secretsInUrl(url);
  if (found.length === 0) return null;
  const parts = found.map((f) => (f === 'password' ? 'a password (user:password@host)' : `the parameter ${f}`));
  return (
    `The PostgreSQL URL carries ${parts.join(' and ')}, and a URL here never holds a secret or names key material. ` +
    'Remove it: type the password in the Password field (kept in the OS keychain on the desktop) or set PGPASSWORD where the workbench starts.'
  );
}
