export * as delete from './delete.operation';
export * as getAll from './getAll.operation';
export * as upload from './upload.operation';
