import { describe, expect, it } from 'vitest';
import { confirmedExternalUrl, externalLinkPrompt } from './external-link';

describe('externalLinkPrompt', () => {
  it('shows the full URL and the host, with Cancel as the default and the Esc answer', () => {
    const url = 'https://duckdb.org/docs/sql/functions/overview?lang=en#aggregates';
    const prompt = externalLinkPrompt(url);
    expect(prompt).not.toBeNull();
    if (prompt === null) return;
    expect(prompt.url).toBe(url);
    expect(prompt.options.detail).toContain(url);
    expect(prompt.options.message).toContain('duckdb.org');
    expect(prompt.options.buttons[prompt.options.defaultId]).toBe('Cancel');
    expect(prompt.options.cancelId).toBe(prompt.options.defaultId);
  });

  it('shows a long URL whole, not cut short', () => {
    const url = `https://example.com/${'a'.repeat(1500)}?q=${'b'.repeat(400)}`;
    expect(externalLinkPrompt(url)?.options.detail).toContain(url);
  });

  it('shows and opens the normalized URL: a lookalike host in punycode, control characters escaped', () => {
    // "exаmple.com" with a Cyrillic а.
    const prompt = externalLinkPrompt('https://ex\u0430mple.com/p\u202eath?x=1');
    expect(prompt?.url).toBe('https://xn--exmple-4nf.com/p%E2%80%AEath?x=1');
    expect(prompt?.options.message).toContain('xn--exmple-4nf.com');
    expect(prompt?.options.detail).toContain('https://xn--exmple-4nf.com/p%E2%80%AEath?x=1');
    expect(prompt?.options.detail).not.toContain('\u202e');
  });

  it('asks nothing for links that are never opened', () => {
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'https://user:pw@example.com/', 'app://bundle/index.html', 'nope']) {
      expect(externalLinkPrompt(url), url).toBeNull();
    }
  });
});

describe('confirmedExternalUrl', () => {
  const prompt = externalLinkPrompt('https://example.com/docs');
  if (prompt === null) throw new Error('the prompt of a plain https link is missing');

  it('opens the shown URL only when the user clicked Open', () => {
    const open = prompt.options.buttons.indexOf('Open in browser');
    expect(open).toBeGreaterThanOrEqual(0);
    expect(confirmedExternalUrl(prompt, open)).toBe('https://example.com/docs');
  });

  it('opens nothing on Cancel, Esc (the cancel id) or an unknown answer', () => {
    expect(confirmedExternalUrl(prompt, prompt.options.cancelId)).toBeNull();
    expect(confirmedExternalUrl(prompt, prompt.options.buttons.indexOf('Cancel'))).toBeNull();
    expect(confirmedExternalUrl(prompt, -1)).toBeNull();
    expect(confirmedExternalUrl(prompt, 7)).toBeNull();
  });
});
