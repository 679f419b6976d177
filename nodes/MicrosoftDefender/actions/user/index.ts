export * as getDevices from './getDevices.operation';
