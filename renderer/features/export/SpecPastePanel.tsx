import { useState } from 'react';
import type { SliceSpecInput } from '../../../shared/domain/slice-spec';
import { parsePastedSpec } from './sliceForm';

interface Props {
  /** Closed, it stays mounted (hidden) so the pasted text is still there when it opens again. */
  open: boolean;
  /** A valid pasted spec (or a manifest's spec). */
  onSpec: (spec: SliceSpecInput) => void;
}

/** "Paste spec…": a spec or a whole manifest.json as JSON, checked before the form takes it. */
export function SpecPastePanel({ open, onSpec }: Props) {
  const [text, setText] = useState('');
  const [issues, setIssues] = useState<string | null>(null);
  const apply = (): void => {
    const pasted = parsePastedSpec(text);
    if (!pasted.ok) {
      setIssues(pasted.issues);
      return;
    }
    setIssues(null);
    onSpec(pasted.spec);
  };
  return (
    <div className="export-paste" hidden={!open}>
      <textarea
        aria-label="Spec or manifest JSON"
        placeholder='{ "dataset": "telemetry", "from": "…", "to": "…" }  (a manifest.json works too)'
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={6}
      />
      <div className="export-row">
        <button type="button" className="btn primary" onClick={apply}>
          Use this spec
        </button>
        {issues && <pre className="inline-error export-pre">{issues}</pre>}
      </div>
    </div>
  );
}
