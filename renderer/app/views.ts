import { SqlView } from '../features/sql/SqlView';
import { registerView } from './router';

/** The views of this build. Later views register the same way. */
export function registerBuiltInViews(): void {
  registerView({ id: 'sql', title: 'SQL', order: 10, component: SqlView }, { isDefault: true });
}
