import type { ReactNode } from 'react';
import type { EntityInfo, ScopeKind } from '../../../shared/api/dashboard';
import { hrefFor } from '../../app/router';
import { TimeRangePicker } from './TimeRangePicker';
import type { DashboardFrame } from './useDashboard';
import { ErrorBox } from '../../lib/ui/ErrorBox';

const KIND_LABEL: Record<ScopeKind, string> = { fleet: 'Fleet', location: 'Site', system: 'System', string: 'String', battery: 'Jar' };

interface Props {
  frame: DashboardFrame;
  /** Extra content on the title row (e.g. a health badge). */
  badge?: ReactNode;
}

export function entityHref(kind: ScopeKind, id: number | null): string {
  return kind === 'fleet' || id === null ? hrefFor('fleet') : hrefFor(kind, String(id));
}

/** Breadcrumb (Fleet › site › system › string › jar), title, facts and the time range picker. */
export function DashboardHeader({ frame, badge }: Props) {
  const entity: EntityInfo | null = frame.entity;
  const kind = frame.scope?.kind ?? 'fleet';
  return (
    <div className="dash-header">
      <nav className="dash-crumbs" aria-label="Breadcrumb">
        <a href={hrefFor('fleet')}>Fleet</a>
        {entity?.path.map((p) => (
          <span key={`${p.kind}-${p.id}`}>
            {' › '}
            <a
              href={entityHref(p.kind, p.id)}
              title={`${KIND_LABEL[p.kind]} id ${p.id}`}
              aria-current={p.kind === kind && p.id === entity.id ? 'page' : undefined}
            >
              {p.name}
            </a>
          </span>
        ))}
      </nav>
      <div className="dash-title-row">
        <h2 className="dash-title" data-testid="dash-title">
          {kind !== 'fleet' && <span className="dim dash-kind">{KIND_LABEL[kind]}</span>}{' '}
          <span title={entity && entity.id !== null ? `${KIND_LABEL[kind]} id ${entity.id}` : undefined}>
            {entity?.name ?? (frame.error ? '—' : '…')}
          </span>
        </h2>
        {badge}
        <span className="spacer" />
        <dl className="dash-facts">
          {entity?.facts.map((f) => (
            <div key={f.label}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      </div>
      {frame.error && <ErrorBox variant="inline" error={frame.error} />}
      <TimeRangePicker
        fromMs={frame.fromMs}
        toMs={frame.toMs}
        siteZone={kind === 'fleet' ? null : (entity?.timeZone ?? null)}
        zone={frame.zone}
      />
    </div>
  );
}
