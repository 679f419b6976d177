export * as getAlerts from './getAlerts.operation';
export * as getDevices from './getDevices.operation';
export * as getStatistics from './getStatistics.operation';
