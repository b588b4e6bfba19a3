export * from './helpers';
export * from './pipeline';
