import { describe, expect, it } from 'vitest';
import { secretsInUrl, urlSecretProblem } from './postgres-url';

describe('secrets in a PostgreSQL URL', () => {
  it('finds the user-info password and every secret or key-material parameter, by name', () => {
    const found = (url: string): string[] => secretsInUrl(new URL(url));
    expect(found('postgres://ann:s3cret@db/fleet')).toEqual(['password']);
    for (const name of [
      'password',
      'PASSWORD',
      'pass',
      'passwd',
      'pwd',
      'passfile',
      'sslpassword',
      'sslkey',
      'sslkeylogfile',
      'secret',
      'token',
    ]) {
      expect(found(`postgres://ann@db/fleet?${name}=x`), name).toEqual([`${name}=`]);
    }
    // A percent-encoded name is still the name pg reads.
    expect(found('postgres://ann@db/fleet?ssl%70assword=x')).toEqual(['sslpassword=']);
    expect(found('postgres://ann:pw@db/fleet?password=a&password=b&sslkey=k')).toEqual(['password', 'password=', 'sslkey=']);
    // Public material and plain options are fine.
    expect(
      found('postgres://ann@db/fleet?sslmode=verify-full&sslrootcert=/ca.pem&sslcert=/c.pem&sslcrl=/crl.pem&application_name=x'),
    ).toEqual([]);
    expect(found('postgres://ann:@db/fleet')).toEqual([]);
  });

  it('names the parts, never the values', () => {
    const problem = urlSecretProblem(new URL('postgres://ann:Sup3rS3cret@db/fleet?sslpassword=KeyPhrase9'));
    expect(problem).toContain('a password (user:password@host)');
    expect(problem).toContain('the parameter sslpassword=');
    expect(problem).not.toMatch(/Sup3rS3cret|KeyPhrase9/);
    expect(urlSecretProblem(new URL('postgres://ann@db/fleet?sslmode=require'))).toBeNull();
  });
});
