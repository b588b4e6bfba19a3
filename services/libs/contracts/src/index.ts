export * from './topics';
export * from './protocol';
export * from './decode';
export * from './queues';
export * from './domain-events';
export * from './live';
export * from './work-orders';
export * from './kpi';
