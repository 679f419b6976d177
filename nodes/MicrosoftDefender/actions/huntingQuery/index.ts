export * as run from './run.operation';
