/** Menu sections and the resources under each. */
export const MENU_GROUPS: { key: string; resources: string[] }[] = [
  { key: 'quality', resources: ['alarms', 'tasks', 'work-orders', 'assessments'] },
  { key: 'geo', resources: ['contracts', 'zones', 'routes', 'sites'] },
  { key: 'fleet', resources: ['vehicles', 'teams', 'workers', 'devices', 'shifts'] },
  { key: 'admin', resources: ['operators', 'agencies', 'users', 'categories', 'calendars', 'audit-log'] },
];
