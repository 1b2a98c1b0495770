import type { SohApi } from '../../../shared/api/contract';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { runSoh } from '../analytics/soh-analysis';
import { readSohSettings } from '../dashboard/soh-settings';
import { readSohEol, writeSohEol } from '../dashboard/thresholds-store';
import type { Engine } from '../engine/engine';
import type { RollupService } from '../rollups/rollup-service';

/** How long the analysis may run before it is interrupted. */
const SOH_TIMEOUT_MS = 60_000;

/** The `soh` service: state of health, knee and RUL per jar, over the gold rollups (analytics/soh-*.ts). */
export function createSohService(deps: { engine: Engine; rollups: RollupService }): SohApi {
  const { engine, rollups } = deps;
  return {
    jars: (req) =>
      engine.withConnection(async (conn) => {
        rollups.catchUp();
        const timer = setTimeout(() => conn.interrupt(), SOH_TIMEOUT_MS);
        try {
          const settings = req.settings ?? (await readSohSettings(conn));
          return await runSoh(conn, {
            settings,
            batteryId: req.batteryId,
            fromMs: req.from !== undefined ? Date.parse(req.from) : undefined,
            toMs: req.to !== undefined ? Date.parse(req.to) : undefined,
          });
        } catch (err) {
          const message = errorMessage(err);
          throw new WorkbenchError('SQL_ERROR', `The state-of-health analysis could not be computed: ${message.split('\n')[0]}`, message);
        } finally {
          clearTimeout(timer);
        }
      }),
    eol: () => engine.withConnection((conn) => readSohEol(conn)),
    setEol: (req) =>
      engine.withConnection(async (conn) => {
        await writeSohEol(conn, req.eol);
        return readSohEol(conn);
      }),
  };
}
