/**
 * Test fixture (not a test): a separate process that recomputes every calculated day of a workspace (a full refresh
 * of calc_telemetry, 2 lake days per journaled publish) and prints its report as one JSON line
 * (after a line `calculating` as it begins). Used by
 * calc-faults.test.ts to SIGKILL a real calculation at each step (`BW_KILL_AT=calc:<step>`) and at random moments.
 * Usage: node --import tsx calc-run.fixture.ts <workspaceDir>
 */
import { LakeIntents } from '../lake/intents';
import { openWorkbench } from '../workbench';
import { refreshCalc } from './calc-refresh';

const dir = process.argv[2];
if (!dir) throw new Error('usage: calc-run.fixture.ts <workspaceDir>');
const wb = await openWorkbench({ workspaceDir: dir, entry: 'test' });
try {
  const report = await wb.engine.withConnection(async (conn) => {
    const intents = new LakeIntents(conn);
    await intents.ensure();
    // The workspace is open: what follows is the calculation (the random kills are timed from here).
    process.stdout.write('calculating\n');
    const lake = wb.data.lake;
    return refreshCalc(conn, lake, { lake, intents, commitViews: (s, d) => wb.data.commitViews(s, d) }, { full: true, publishDays: 2 });
  });
  process.stdout.write(`${JSON.stringify(report)}\n`);
} finally {
  await wb.close();
}
