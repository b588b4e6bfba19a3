export * from './collections';
export * from './mongo';
