import type { ReactNode, Ref } from 'react';

interface Props {
  /** The section's accessible name (aria-label). */
  label?: string;
  /** The bold title of the head; without it (and without `sub`/`extra`/`actions`) the card has no head. */
  title?: ReactNode;
  /** Dim words after the title. */
  sub?: ReactNode;
  /** Anything else in the head before the spacer: a spinner, a note with its own style. */
  extra?: ReactNode;
  /** Buttons at the right end of the head. */
  actions?: ReactNode;
  /** A left rule: `warn` (amber), `failed` (red), `stale` (greyed out). */
  tone?: 'warn' | 'failed' | 'stale' | null;
  testId?: string;
  ref?: Ref<HTMLElement>;
  children?: ReactNode;
}

/** One card of a page (the `lake-card` look): a head with a title and actions, then its body. */
export function Card({ label, title, sub, extra, actions, tone, testId, ref, children }: Props) {
  const head = title !== undefined || sub !== undefined || extra !== undefined || actions !== undefined;
  return (
    <section ref={ref} className={tone ? `lake-card ${tone}` : 'lake-card'} aria-label={label} data-testid={testId}>
      {head && (
        <div className="lake-card-head">
          {title !== undefined && <span className="lake-card-title">{title}</span>}
          {sub !== undefined && <span className="dim">{sub}</span>}
          {extra}
          {actions !== undefined && <span className="spacer" />}
          {actions}
        </div>
      )}
      {children}
    </section>
  );
}
