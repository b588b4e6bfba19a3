export * from './categories';
export * from './state-machine';
export * from './working-time';
export * from './routing';
export * from './model';
