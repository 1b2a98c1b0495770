import { useEffect, useMemo, useState } from 'react';
import type { EntityInfo, Scope } from '../../../shared/api/dashboard';
import type { ApiError } from '../../../shared/api/errors';
import { requestEntity } from './entityRequest';
import { resolveRange, useDashboardSettings } from './timeRange';
import { useRollupGeneration } from './usePanel';

export interface DashboardFrame {
  scope: Scope | null;
  /**
   * The scope the panels read: null until the range is settled (a preset ends at the data's end, which the
   * entity tells), so panels are asked once, not first for a range ending now and again for the data's end.
   */
  panelScope: Scope | null;
  entity: EntityInfo | null;
  error: ApiError | null;
  fromMs: number;
  toMs: number;
  /** The zone times are shown in. */
  zone: string;
  /**
   * Whether the picker says site time: a scope without one zone (the fleet) shows `zone` UTC, but a table of
   * several sites then shows each site's times in its own zone.
   */
  siteTime: boolean;
}

/** A scope's entity (name, path, zone, data extent) and the resolved time range and zone of the picker. */
export function useDashboard(scope: Scope | null): DashboardFrame {
  const { generation, at } = useRollupGeneration();
  const settings = useDashboardSettings();
  const [loaded, setLoaded] = useState<{ key: string; entity: EntityInfo | null; error: ApiError | null }>({
    key: '',
    entity: null,
    error: null,
  });
  const key = scope ? `${scope.kind}|${scope.id ?? ''}` : '';

  useEffect(() => {
    if (!scope) return;
    let live = true;
    void requestEntity(scope).then((res) => {
      if (!live) return;
      setLoaded(res.ok ? { key, entity: res.value, error: null } : { key, entity: null, error: res.error });
    });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, generation]);

  const entity = loaded.key === key ? loaded.entity : null;
  const dataTo = entity?.dataTo ? Date.parse(entity.dataTo) : null;
  // Re-resolve a preset when the data's end moves (a sync), not on every render.
  const now = Math.max(at, settings.at);
  const { fromMs, toMs } = useMemo(() => resolveRange(settings.range, now, dataTo), [settings.range, now, dataTo]);
  const zone = settings.zone === 'utc' ? 'UTC' : (entity?.timeZone ?? 'UTC');
  const error = loaded.key === key ? loaded.error : null;
  const settled = settings.range.kind === 'custom' || entity !== null || error !== null;
  return { scope, panelScope: settled ? scope : null, entity, error, fromMs, toMs, zone, siteTime: settings.zone !== 'utc' };
}

/** `#/battery/17` → 17; anything else → null. */
export function idFromRest(rest: string): number | null {
  const m = /^(\d{1,10})(?:[/?].*)?$/.exec(rest);
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 1 && n <= 2_147_483_647 ? n : null;
}
