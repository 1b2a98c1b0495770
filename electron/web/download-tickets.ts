import { createHash, randomBytes } from 'node:crypto';

export const DOWNLOAD_TICKET_TTL_MS = 60_000;
/** More outstanding tickets than this and the oldest go first: a page needs a handful at most. */
const MAX_TICKETS = 256;

interface Ticket {
  downloadId: string;
  expiresAt: number;
}

/**
 * One-time download URLs. A browser's `<a download>` cannot send the bearer header, so the page
 * asks for a ticket with the header and lets the browser fetch `/download/<id>?ticket=<t>`: the
 * ticket serves that one export, once, within the time to live. Tickets are kept by their hash,
 * so a lookup's timing says nothing about a guess.
 */
export class DownloadTickets {
  private readonly tickets = new Map<string, Ticket>();

  constructor(
    private readonly now: () => number = Date.now,
    readonly ttlMs: number = DOWNLOAD_TICKET_TTL_MS,
  ) {}

  issue(downloadId: string): string {
    this.prune();
    const ticket = randomBytes(24).toString('base64url');
    this.tickets.set(keyOf(ticket), { downloadId, expiresAt: this.now() + this.ttlMs });
    while (this.tickets.size > MAX_TICKETS) this.tickets.delete(this.tickets.keys().next().value as string);
    return ticket;
  }

  /** True once for a live ticket issued for this export; the ticket is spent either way. */
  redeem(ticket: string, downloadId: string): boolean {
    const key = keyOf(ticket);
    const found = this.tickets.get(key);
    if (!found) return false;
    this.tickets.delete(key);
    return found.downloadId === downloadId && this.now() < found.expiresAt;
  }

  private prune(): void {
    const now = this.now();
    for (const [key, t] of this.tickets) if (now >= t.expiresAt) this.tickets.delete(key);
  }
}

function keyOf(ticket: string): string {
  return createHash('sha256').update(ticket).digest('base64url');
}
