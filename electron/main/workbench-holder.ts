import { openWorkbench } from '../core/workbench';
import type { Dispatch } from '../core/dispatcher';
import type { EventListener } from '../core/events';
import { createDesktopSecretStore } from './secrets';
import { errorMessage } from '../../shared/api/errors';

export type OpenedWorkbench = Awaited<ReturnType<typeof openWorkbench>>;

/**
 * Holds the open workbench of the desktop app and lets the user switch workspaces:
 * the old one is closed before the new one opens (its lock is released first).
 */
export class WorkbenchHolder {
  private current: Promise<OpenedWorkbench> | null = null;
  private offEvents: (() => void) | null = null;
  private dir: string;

  constructor(
    workspaceDir: string,
    private readonly appVersion: string,
    private readonly onEvent: EventListener,
  ) {
    this.dir = workspaceDir;
  }

  get workspaceDir(): string {
    return this.dir;
  }

  /** The open workbench, opening it on first use. A failed open is retried on the next call. */
  get(): Promise<OpenedWorkbench> {
    if (!this.current) {
      const opening = openWorkbench({
        workspaceDir: this.dir,
        appVersion: this.appVersion,
        entry: 'desktop',
        secrets: createDesktopSecretStore(this.dir),
      }).then((wb) => {
        this.offEvents = wb.events.on(this.onEvent);
        return wb;
      });
      opening.catch(() => {
        if (this.current === opening) this.current = null;
      });
      this.current = opening;
    }
    return this.current;
  }

  /** The dispatcher; if the workspace cannot be opened, every call answers with that error as a value. */
  async dispatch(): Promise<Dispatch> {
    try {
      return (await this.get()).dispatch;
    } catch (err) {
      const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : 'INTERNAL';
      const message = errorMessage(err);
      return async () => ({
        ok: false,
        error: {
          code: code === 'WORKSPACE_LOCKED' ? 'WORKSPACE_LOCKED' : 'INTERNAL',
          message: `The workspace ${this.dir} could not be opened: ${message}`,
        },
      });
    }
  }

  /** Folders whose contents the user may be shown in the file manager: the workspace, and the lake when it is a local folder. */
  async storageRoots(): Promise<string[]> {
    try {
      const { lake } = (await this.get()).data;
      return lake.kind === 'local' ? [this.dir, lake.location] : [this.dir];
    } catch {
      return [this.dir];
    }
  }

  async switchTo(workspaceDir: string): Promise<void> {
    await this.close();
    this.dir = workspaceDir;
    await this.get();
  }

  async close(): Promise<void> {
    const wb = this.current;
    this.current = null;
    this.offEvents?.();
    this.offEvents = null;
    if (!wb) return;
    try {
      await (await wb).close();
    } catch {
      // It never opened: nothing to close.
    }
  }
}
