import { scaleDemo } from './scale-demo';
import type { ScaleFigure } from './scale-kit';
import { scaleArchive } from './scale-archive';
import { benchScaleMemory } from './scale-memory';
import { scaleOpen } from './scale-open';
import { scalePanels } from './scale-panels';
import { scaleViews } from './scale-views';

/**
 * `npm run bench -- scale`: how cost grows with the data, at 90 days and a year of the full fleet, and how close
 * archival, the views and memory stay to their physical limits. Each part returns its figures with targets;
 * `BW_SCALE_PARTS=views,archive` runs only those parts. Cached inputs live under bench/.cache (git-ignored).
 */
interface ScalePart {
  name: string;
  run: () => Promise<ScaleFigure[]>;
}

/**
 * The timed interactive parts first: the year demo writes and deletes a workspace of several GB, which leaves the
 * cached workspaces' files out of the page cache for whatever part follows (the one-jar year curve's p95 went from
 * 31 ms to 139 ms right after it).
 */
const PARTS: readonly ScalePart[] = [
  { name: 'panels', run: scalePanels },
  { name: 'open', run: scaleOpen },
  { name: 'views', run: scaleViews },
  { name: 'archive', run: scaleArchive },
  { name: 'memory', run: benchScaleMemory },
  { name: 'demo', run: scaleDemo },
];

export async function benchScale(): Promise<Record<string, unknown>> {
  const wanted = (process.env.BW_SCALE_PARTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const figures: ScaleFigure[] = [];
  const parts: Record<string, { ms: number; error?: string }> = {};
  for (const part of PARTS) {
    if (wanted.length > 0 && !wanted.includes(part.name)) continue;
    process.stderr.write(`  scale: ${part.name}…\n`);
    const t0 = performance.now();
    const got = await part.run();
    parts[part.name] = { ms: Math.round(performance.now() - t0) };
    for (const f of got) {
      process.stderr.write(`    ${f.pass ? 'pass' : 'FAIL'}  ${f.name}: ${f.value} ${f.unit} (target ≤ ${f.limit})\n`);
      figures.push(f);
    }
  }
  return {
    pass: figures.length > 0 && figures.every((f) => f.pass),
    failed: figures.filter((f) => !f.pass).map((f) => f.name),
    parts,
    figures,
  };
}
