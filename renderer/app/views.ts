import { ArchiveView } from '../features/archive/ArchiveView';
import { CompressionView } from '../features/compression/CompressionView';
import { ConvertView } from '../features/convert/ConvertView';
import { BatteryView } from '../features/dashboards/BatteryView';
import { FleetView } from '../features/dashboards/FleetView';
import { ExportView } from '../features/export/ExportView';
import { LocationView, StringView, SystemView } from '../features/dashboards/ScopeView';
import { InspectorView } from '../features/inspector/InspectorView';
import { SqlView } from '../features/sql/SqlView';
import { SettingsView } from '../features/settings/SettingsView';
import { registerView } from './router';

/** The views of this build. Later views register the same way. */
export function registerBuiltInViews(): void {
  registerView({ id: 'sql', title: 'SQL', order: 10, component: SqlView }, { isDefault: true });
  registerView({ id: 'fleet', title: 'Fleet', order: 20, component: FleetView });
  registerView({ id: 'location', title: 'Site', order: 21, component: LocationView, hidden: true });
  registerView({ id: 'system', title: 'System', order: 22, component: SystemView, hidden: true });
  registerView({ id: 'string', title: 'String', order: 23, component: StringView, hidden: true });
  registerView({ id: 'battery', title: 'Jar', order: 24, component: BatteryView, hidden: true });
  registerView({ id: 'convert', title: 'Convert', order: 40, component: ConvertView });
  registerView({ id: 'export', title: 'Export', order: 45, component: ExportView });
  registerView({ id: 'compression', title: 'Compression', order: 50, component: CompressionView });
  registerView({ id: 'inspect', title: 'Inspector', order: 60, component: InspectorView });
  registerView({ id: 'archive', title: 'Archive', order: 70, component: ArchiveView });
  registerView({ id: 'settings', title: 'Settings', order: 90, component: SettingsView });
}
