import type { PanelCell } from '../../../shared/api/dashboard';
import { hrefFor } from '../../app/router';
import { jarIdText, text } from './panelData';

interface Props {
  id: PanelCell | undefined;
  /** The jar's name from its panel ("FRA1 UPS A · S1 · J10"): data, rendered as text. */
  name: PanelCell | undefined;
  testId?: string;
}

/** A jar named the one way every page names it, linking to its page, with its numeric id on hover. */
export function JarLink({ id, name, testId }: Props) {
  return (
    <a href={hrefFor('battery', text(id))} title={jarIdText(id)} data-testid={testId}>
      {text(name) || jarIdText(id)}
    </a>
  );
}
