/**
 * Test fixture (not a test): a separate process that opens a workspace the way the web host
 * does and holds it until its stdin closes. Used by lock.test.ts to meet a real second process.
 * Usage: node --import tsx lock-holder.fixture.ts <workspaceDir>
 */
import { openWorkbench } from '../workbench';

const dir = process.argv[2];
if (!dir) throw new Error('usage: lock-holder.fixture.ts <workspaceDir>');
const wb = await openWorkbench({ workspaceDir: dir, entry: 'web', appVersion: 'fixture' });
process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void wb.close().then(() => process.exit(0));
});
