// Every command id in one place; a unit test checks these against package.json.
export const Commands = {
  copyOtlpEndpoint: 'prodlens.copyOtlpEndpoint',
  showFunctionDetails: 'prodlens.showFunctionDetails',
  selectWindow: 'prodlens.selectWindow',
  restartReceiver: 'prodlens.restartReceiver',
  useAnotherPort: 'prodlens.useAnotherPort',
  toggleCodeLens: 'prodlens.toggleCodeLens',
  showLogs: 'prodlens.showLogs',
  statusMenu: 'prodlens.statusMenu',
  openFunction: 'prodlens.openFunction',
  filterHotspots: 'prodlens.filterHotspots',
  filterHotspotsByEnvironment: 'prodlens.filterHotspotsByEnvironment',
  rankHotspots: 'prodlens.rankHotspots',
  muteAlertNotifications: 'prodlens.muteAlertNotifications',
  unmuteAlertNotifications: 'prodlens.unmuteAlertNotifications',
  refreshViews: 'prodlens.refreshViews',
  copyImpactReport: 'prodlens.copyImpactReport',
  refreshImpact: 'prodlens.refreshImpact',
  whyNoData: 'prodlens.whyNoData',
  testConnections: 'prodlens.testConnections',
  setSourceToken: 'prodlens.setSourceToken',
  clearSourceToken: 'prodlens.clearSourceToken',
  runWithTelemetry: 'prodlens.runWithTelemetry',
} as const;

/** Arguments of `prodlens.showFunctionDetails` when invoked from a lens or hover link. */
export interface FunctionRef {
  file: string;
  qualifiedName: string;
  startLine: number;
}
