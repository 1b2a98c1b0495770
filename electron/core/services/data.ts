import type { DataApi } from '../../../shared/api/contract';
import type { DemoJob } from '../demo/demo-job';
import type { LiveFeedSwitch } from '../demo/live-feed-switch';
import { toSyncResult, type DataPlatform } from '../mirror/data-platform';

/** The `data` service of the contract over the workspace's data platform, its demo job and the live demo feed. */
export function createDataService(platform: DataPlatform, demo: DemoJob, live: LiveFeedSwitch): DataApi {
  return {
    status: async () => ({ ...(await platform.status()), liveFeed: live.status() }),
    sync: async (req) => toSyncResult(await platform.syncNow(req.datasets)),
    demo: async (req) => {
      const { jobId } = demo.start({
        scale: req.scale,
        ...(req.daysHot !== undefined ? { daysHot: req.daysHot } : {}),
        ...(req.daysCold !== undefined ? { daysCold: req.daysCold } : {}),
        ...(req.seed !== undefined ? { seed: req.seed } : {}),
      });
      return { jobId };
    },
  };
}
