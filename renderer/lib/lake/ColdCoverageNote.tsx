import { coldCoverage, coldCoverageText, panelDatasets } from './coldCoverage';
import { useLakeCoverage } from './lakeStatusStore';

interface Props {
  /** The lake datasets the data shown reads (default: the whole lake)... */
  datasets?: readonly string[];
  /** ...or a dashboard panel's source text, whose lake datasets it names. */
  source?: string;
  /** A line of its own (a div) rather than a span inside a line. */
  block?: boolean;
  className?: string;
}

/** "cold: N of M days cached" where cold data is shown and the local cache lacks days; nothing for a complete lake. */
export function ColdCoverageNote({ datasets, source, block, className }: Props) {
  const { status } = useLakeCoverage();
  const scope =
    datasets ??
    (source !== undefined && status
      ? panelDatasets(
          source,
          status.datasets.map((d) => d.dataset),
        )
      : undefined);
  const coverage = coldCoverage(status, scope);
  if (!coverage) return null;
  const Tag = block ? 'div' : 'span';
  return (
    <Tag className={className ? `cold-coverage ${className}` : 'cold-coverage'} data-testid="cold-coverage" title={coverage.detail}>
      {coldCoverageText(coverage)}
    </Tag>
  );
}
