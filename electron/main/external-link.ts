import { isSafeExternalUrl } from './url-policy';

/** The buttons of the prompt, by index: Cancel is first, the default and what Esc answers. */
const CANCEL = 0;
const OPEN = 1;

/** What dialog.showMessageBox shows before a link leaves the app, and the exact URL opened when the user agrees. */
export interface ExternalLinkPrompt {
  /** The URL as shown, and the only one opened: normalized, the host in ASCII (punycode), never the raw input. */
  url: string;
  options: {
    type: 'question';
    title: string;
    message: string;
    detail: string;
    buttons: string[];
    defaultId: number;
    cancelId: number;
    noLink: true;
  };
}

/** The confirmation for a link the page wants opened in the OS browser; null for a link that is never opened. */
export function externalLinkPrompt(url: string): ExternalLinkPrompt | null {
  if (!isSafeExternalUrl(url)) return null;
  const parsed = new URL(url);
  return {
    url: parsed.href,
    options: {
      type: 'question',
      title: 'Open link in browser',
      message: `Open a link to ${parsed.hostname} in your browser?`,
      detail: `The full address:\n\n${parsed.href}\n\nOpen it only if you trust where it leads.`,
      buttons: ['Cancel', 'Open in browser'],
      defaultId: CANCEL,
      cancelId: CANCEL,
      noLink: true,
    },
  };
}

/** The URL to open after the user answered the prompt (the index of the button clicked), or null. */
export function confirmedExternalUrl(prompt: ExternalLinkPrompt, response: number): string | null {
  return response === OPEN ? prompt.url : null;
}
