import { describe, expect, it } from 'vitest';
import { MAX_UPLOAD_ENV, parseByteSize, parseWebHostArgs, WEB_HOST_USAGE } from './args';

describe('web host arguments', () => {
  it('reads sizes 1024-based, with or without a unit', () => {
    expect(parseByteSize('1048576')).toBe(1024 ** 2);
    expect(parseByteSize('500MB')).toBe(500 * 1024 ** 2);
    expect(parseByteSize(' 20 gb ')).toBe(20 * 1024 ** 3);
    expect(parseByteSize('1.5KB')).toBe(1536);
    for (const bad of ['', 'lots', '-1GB', '0', '5 PB', '1e3']) expect(parseByteSize(bad), bad).toBeNull();
  });

  it('takes the upload limit from --max-upload, else the environment, and names a bad one', () => {
    expect(parseWebHostArgs([], {}).maxUploadBytes).toBeUndefined();
    expect(parseWebHostArgs([], { [MAX_UPLOAD_ENV]: '2GB' }).maxUploadBytes).toBe(2 * 1024 ** 3);
    expect(parseWebHostArgs(['--max-upload', '100MB'], { [MAX_UPLOAD_ENV]: '2GB' }).maxUploadBytes).toBe(100 * 1024 ** 2);
    expect(() => parseWebHostArgs(['--max-upload', 'huge'], {})).toThrow(/--max-upload must be a size.*"huge"/);
    expect(() => parseWebHostArgs([], { [MAX_UPLOAD_ENV]: 'huge' })).toThrow(new RegExp(`\\$${MAX_UPLOAD_ENV} must be a size`));
  });

  it('takes --lake (a folder or s3://bucket/prefix) and documents it', () => {
    expect(parseWebHostArgs([], {}).lake).toBeUndefined();
    expect(parseWebHostArgs(['--lake', 's3://fleet-lake/eu'], {}).lake).toBe('s3://fleet-lake/eu');
    expect(parseWebHostArgs(['--lake', './lake'], {}).lake).toBe('./lake');
    expect(WEB_HOST_USAGE).toMatch(/--lake DIR\|S3URL +The lake for this run/);
  });
});
