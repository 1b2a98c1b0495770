import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { prefetchEntity } from '../features/dashboards/entityRequest';
import { registerView } from './router';

/**
 * A view's code loaded when it is first shown: the page opened on the fleet does not parse the SQL editor,
 * the grid or the Arrow decoder first (and the other way round).
 */
function lazyView<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K): LazyExoticComponent<ComponentType> {
  return lazy(async () => ({ default: (await load())[name] }));
}

const SqlView = lazyView(() => import('../features/sql/SqlView'), 'SqlView');
const FleetView = lazyView(() => import('../features/dashboards/FleetView'), 'FleetView');
const LocationView = lazyView(() => import('../features/dashboards/ScopeView'), 'LocationView');
const SystemView = lazyView(() => import('../features/dashboards/ScopeView'), 'SystemView');
const StringView = lazyView(() => import('../features/dashboards/ScopeView'), 'StringView');
const BatteryView = lazyView(() => import('../features/dashboards/BatteryView'), 'BatteryView');
const ConvertView = lazyView(() => import('../features/convert/ConvertView'), 'ConvertView');
const ExportView = lazyView(() => import('../features/export/ExportView'), 'ExportView');
const FeaturesView = lazyView(() => import('../features/features/FeaturesView'), 'FeaturesView');
const AlertsView = lazyView(() => import('../features/alerts/AlertsView'), 'AlertsView');
const SchedulesView = lazyView(() => import('../features/schedules/SchedulesView'), 'SchedulesView');
const LifecycleView = lazyView(() => import('../features/lifecycle/LifecycleView'), 'LifecycleView');
const CompressionView = lazyView(() => import('../features/compression/CompressionView'), 'CompressionView');
const InspectorView = lazyView(() => import('../features/inspector/InspectorView'), 'InspectorView');
const ArchiveView = lazyView(() => import('../features/archive/ArchiveView'), 'ArchiveView');
const SettingsView = lazyView(() => import('../features/settings/SettingsView'), 'SettingsView');

/** The views of this build. Later views register the same way. */
export function registerBuiltInViews(): void {
  registerView({ id: 'sql', title: 'SQL', order: 10, component: SqlView }, { isDefault: true });
  registerView({ id: 'fleet', title: 'Fleet', order: 20, component: FleetView, prefetch: () => prefetchEntity({ kind: 'fleet' }) });
  registerView({ id: 'location', title: 'Site', order: 21, component: LocationView, hidden: true });
  registerView({ id: 'system', title: 'System', order: 22, component: SystemView, hidden: true });
  registerView({ id: 'string', title: 'String', order: 23, component: StringView, hidden: true });
  registerView({ id: 'battery', title: 'Jar', order: 24, component: BatteryView, hidden: true });
  registerView({ id: 'convert', title: 'Convert', order: 40, component: ConvertView });
  registerView({ id: 'export', title: 'Export', order: 45, component: ExportView });
  registerView({ id: 'features', title: 'Features', order: 47, component: FeaturesView });
  registerView({ id: 'alerts', title: 'Alerts', order: 48, component: AlertsView });
  registerView({ id: 'schedules', title: 'Schedules', order: 49, component: SchedulesView });
  registerView({ id: 'lifecycle', title: 'Lifecycle', order: 72, component: LifecycleView });
  registerView({ id: 'compression', title: 'Compression', order: 50, component: CompressionView });
  registerView({ id: 'inspect', title: 'Inspector', order: 60, component: InspectorView });
  registerView({ id: 'archive', title: 'Archive', order: 70, component: ArchiveView });
  registerView({ id: 'settings', title: 'Settings', order: 90, component: SettingsView });
}
