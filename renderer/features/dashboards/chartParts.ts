import {
  MarkAreaComponent,
  MarkLineComponent,
  ToolboxComponent,
  type MarkAreaComponentOption,
  type MarkLineComponentOption,
  type ToolboxComponentOption,
} from 'echarts/components';
import { use as registerChartParts, type ComposeOption } from 'echarts/core';
import type { ChartOption } from '../../lib/echarts/registry';

/**
 * What the dashboards add to the app's ECharts parts (tree-shaken): mark lines and areas for alerts,
 * maintenance and capacity tests, and the toolbox's drag-to-zoom.
 */
registerChartParts([MarkLineComponent, MarkAreaComponent, ToolboxComponent]);

export type DashboardOption = ChartOption & ComposeOption<MarkLineComponentOption | MarkAreaComponentOption | ToolboxComponentOption>;
