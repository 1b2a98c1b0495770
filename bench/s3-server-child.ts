import { startS3 } from '../electron/core/testing/s3-server.fixture';

/**
 * The loopback S3 of bench/s3-lake.ts in a process of its own: s3rver runs in a child process already, but the
 * fixture's wrapper in front of it (which reads every request body into memory) runs where `startS3` is called.
 * Here that is this process, so the benchmark's process measures only its own work. Prints the endpoints as one
 * JSON line; stops when stdin closes.
 */
const s3 = await startS3({ buckets: ['lake'] });
process.stdout.write(`${JSON.stringify({ endpoint: s3.endpoint, serverEndpoint: s3.serverEndpoint, env: s3.env })}\n`);
process.stdin.on('end', () => {
  void s3.stop().then(() => process.exit(0));
});
process.stdin.resume();
