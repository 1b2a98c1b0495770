import { errorMessage } from '../../shared/api/errors';
import { formatCount } from '../../shared/format';
import { LiveFeed, liveFeedProblem } from '../core/demo/live-feed';
import type { Workbench } from '../core/workbench';
import { CliError } from './cli-error';
import type { CliIo } from './command';
import { writeOut } from './write-out';

/**
 * `demo --live [--speed N]`: feeds the demo fleet until Ctrl+C, one line per tick (on stderr with --json, so stdout
 * stays one JSON document), then a summary line. Exit 0 on Ctrl+C; a failing tick ends it with the error.
 */
export async function runLiveFeed(workbench: Workbench, io: CliIo, speed: number, json: boolean): Promise<number> {
  const out = json ? io.stderr : io.stdout;
  const hot = await workbench.data.hotStore();
  const problem = await hot.withClient((c) => liveFeedProblem(c));
  if (problem) throw new CliError(problem);
  let failure: unknown = null;
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const feed = new LiveFeed({
    hot: async () => hot,
    speed,
    onTick: (t) => {
      const alerts = t.alertsRaised || t.alertsCleared ? ` · alerts +${t.alertsRaised} −${t.alertsCleared}` : '';
      out.write(`${t.ts}  ${formatCount(t.readings)} jar + ${formatCount(t.stringReadings)} string readings${alerts}\n`);
    },
    onStatus: (s) => {
      if (s.state === 'waiting' && s.message) {
        failure = new CliError(`The live feed stopped: ${s.message}`);
        stop();
      }
    },
  });
  const seconds = feed.intervalMs / 1000;
  await writeOut(
    out,
    `Live feed at ${speed}x: readings for the whole fleet every ${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(0)} s. Ctrl+C stops it.\n`,
  );
  const off = io.onInterrupt(stop);
  feed.start();
  try {
    await stopped;
  } finally {
    off();
  }
  const end = await feed.stop();
  if (failure) throw failure instanceof CliError ? failure : new CliError(errorMessage(failure));
  await writeOut(
    out,
    `Live feed stopped: ${end.ticks} ticks, ${formatCount(end.rows)} readings, ${end.alertsRaised} alerts raised; last reading at ${end.lastReadingAt ?? 'none'}.\n`,
  );
  return 0;
}
