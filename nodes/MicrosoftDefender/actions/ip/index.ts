export * as getAlerts from './getAlerts.operation';
export * as getStatistics from './getStatistics.operation';
