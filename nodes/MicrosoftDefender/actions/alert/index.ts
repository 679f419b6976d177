export * as addComment from './addComment.operation';
export * as get from './get.operation';
export * as getAll from './getAll.operation';
export * as getEntities from './getEntities.operation';
export * as update from './update.operation';
