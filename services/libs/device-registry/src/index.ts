export * from './secret';
export * from './registry';
export * from './mosquitto-auth';
