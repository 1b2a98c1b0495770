import {
  MarkAreaComponent,
  MarkLineComponent,
  MarkPointComponent,
  ToolboxComponent,
  type MarkAreaComponentOption,
  type MarkLineComponentOption,
  type MarkPointComponentOption,
  type ToolboxComponentOption,
} from 'echarts/components';
import { use as registerChartParts, type ComposeOption } from 'echarts/core';
import type { ChartOption } from '../../lib/echarts/registry';

/**
 * What the dashboards add to the app's ECharts parts (tree-shaken): mark lines and areas for alerts,
 * maintenance and capacity tests, mark points (the SoH knee), and the toolbox's drag-to-zoom.
 */
registerChartParts([MarkLineComponent, MarkPointComponent, MarkAreaComponent, ToolboxComponent]);

export type DashboardOption = ChartOption &
  ComposeOption<MarkLineComponentOption | MarkPointComponentOption | MarkAreaComponentOption | ToolboxComponentOption>;
