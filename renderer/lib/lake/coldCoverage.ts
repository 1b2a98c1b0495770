import type { LakeDatasetCoverage, LakeStatus } from '../../../shared/api/storage';

/** What the cold tier covers, where that is less than the lake holds. */
export interface ColdCoverage {
  /** The figures of the least covered dataset in view. */
  daysCached: number;
  daysRemote: number;
  /** That dataset's name when the note is about more than one dataset, else null. */
  dataset: string | null;
  /** Further incomplete datasets in view. */
  more: number;
  /** For a tooltip: every incomplete dataset in view, its missing days, and what to do. */
  detail: string;
}

const shareOf = (d: LakeDatasetCoverage): number => (d.daysRemote > 0 ? d.daysCached / d.daysRemote : 1);

/**
 * The cold tier's coverage of `datasets` (default: the whole lake): null when every day of them is cached, so a
 * complete lake (a local folder always is) shows nothing. Datasets not in the lake are ignored.
 */
export function coldCoverage(status: LakeStatus | null, datasets?: readonly string[]): ColdCoverage | null {
  if (!status || status.complete) return null;
  const wanted = datasets ? new Set(datasets) : null;
  const incomplete = status.datasets.filter((d) => (!wanted || wanted.has(d.dataset)) && d.daysCached < d.daysRemote);
  if (incomplete.length === 0) return null;
  const worst = incomplete.reduce((a, d) => (shareOf(d) < shareOf(a) ? d : a));
  const lines = incomplete.map((d) => {
    const listed = d.missingDays.filter((x) => x !== '');
    const missing =
      listed.length > 0 ? `; not cached: ${listed.join(', ')}${d.daysRemote - d.daysCached > listed.length ? ', …' : ''}` : '';
    return `${d.dataset}: ${d.daysCached} of ${d.daysRemote} days cached${missing}`;
  });
  const offline = status.online === false ? `The lake is offline (last contact ${status.lastContact ?? 'never'}). ` : '';
  return {
    daysCached: worst.daysCached,
    daysRemote: worst.daysRemote,
    dataset: wanted?.size === 1 ? null : worst.dataset,
    more: incomplete.length - 1,
    detail: `${lines.join('\n')}\n${offline}The cold views read only the cached days; Pull now (Settings) fetches the rest.`,
  };
}

/** "cold: 12 of 30 days cached", naming the dataset when the note covers several. */
export function coldCoverageText(c: ColdCoverage): string {
  const which = c.dataset === null ? '' : ` (${c.dataset}${c.more > 0 ? ` and ${c.more} more` : ''})`;
  return `cold: ${c.daysCached} of ${c.daysRemote} days cached${which}`;
}

/**
 * The lake datasets a dashboard panel reads, from its `source` (`telemetry (raw)`, `gold.jar_daily, rul_prediction`),
 * or undefined for the whole lake: rollups (`gold.*`) are built from several datasets, and a source naming no lake
 * dataset is read through views this cannot see into.
 */
export function panelDatasets(source: string, lakeDatasets: readonly string[]): string[] | undefined {
  const words = source.split(/[^A-Za-z0-9_.]+/).filter(Boolean);
  if (words.some((w) => w.startsWith('gold.'))) return undefined;
  const named = lakeDatasets.filter((d) => words.includes(d));
  return named.length > 0 ? named : undefined;
}
