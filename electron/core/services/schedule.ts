import type { ScheduleApi } from '../../../shared/api/contract';
import type { Scheduler } from '../schedule/scheduler';

/** schedule.*: the periodic jobs' schedules, their history, and a run outside the schedule. */
export function createScheduleService(scheduler: Scheduler): ScheduleApi {
  return {
    list: async () => ({ schedules: await scheduler.list() }),
    set: (req) => scheduler.set(req),
    history: async (req) => ({ runs: await scheduler.history(req.limit, req.job) }),
    runNow: (req) => scheduler.runNow(req.job),
  };
}
