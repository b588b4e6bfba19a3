export * from './profiles';
export * from './processes';
export * from './tools';
export * from './stack';
export * from './admin';
export * from './demo';
