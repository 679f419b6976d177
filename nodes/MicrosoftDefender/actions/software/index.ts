export * as get from './get.operation';
export * as getAll from './getAll.operation';
export * as getDevices from './getDevices.operation';
export * as getMissingKbs from './getMissingKbs.operation';
export * as getVulnerabilities from './getVulnerabilities.operation';
