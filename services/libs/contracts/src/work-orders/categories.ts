/**
 * Work-order categories (云报事 report types) with their default deadlines in working minutes: `dueMin` is the
 * first deadline (yellow card), `redMin` the second (red card), both counted from dispatch. A contract's
 * calendar may override them (the demo shortens them to minutes).
 */
export type WorkOrderServiceLine = 'sanitation' | 'greening' | 'patrol' | 'waste_sorting';

export interface WorkOrderCategory {
  code: string;
  name: string;
  nameZh: string;
  /** Which of the contract's service lines handles it; null: the alarm's own line (alarm-born categories). */
  serviceLine: WorkOrderServiceLine | null;
  dueMin: number;
  redMin: number;
  /** Only opened automatically from telemetry alarms, never offered to reporters. */
  fromAlarm?: boolean;
}

export const WORK_ORDER_CATEGORIES: readonly WorkOrderCategory[] = [
  { code: 'litter', name: 'Litter', nameZh: '垃圾散落', serviceLine: 'sanitation', dueMin: 60, redMin: 120 },
  {
    code: 'bin_overflow',
    name: 'Overflowing bin',
    nameZh: '垃圾桶满溢',
    serviceLine: 'waste_sorting',
    dueMin: 120,
    redMin: 240,
  },
  {
    code: 'illegal_dumping',
    name: 'Illegal dumping',
    nameZh: '乱倾倒',
    serviceLine: 'sanitation',
    dueMin: 240,
    redMin: 480,
  },
  {
    code: 'damaged_greenery',
    name: 'Damaged greenery',
    nameZh: '绿化损坏',
    serviceLine: 'greening',
    dueMin: 480,
    redMin: 960,
  },
  {
    code: 'illegal_ad',
    name: 'Illegal advertising',
    nameZh: '牛皮癣小广告',
    serviceLine: 'patrol',
    dueMin: 240,
    redMin: 480,
  },
  {
    code: 'street_light',
    name: 'Street light out',
    nameZh: '路灯故障',
    serviceLine: 'patrol',
    dueMin: 480,
    redMin: 960,
  },
  {
    code: 'six_disorders',
    name: 'Six-disorders item',
    nameZh: '六乱',
    serviceLine: 'patrol',
    dueMin: 240,
    redMin: 480,
  },
  {
    code: 'sos',
    name: 'SOS from a worker',
    nameZh: '紧急求助',
    serviceLine: null,
    dueMin: 15,
    redMin: 30,
    fromAlarm: true,
  },
  {
    code: 'route_missed',
    name: 'Route missed',
    nameZh: '线路漏扫',
    serviceLine: null,
    dueMin: 120,
    redMin: 240,
    fromAlarm: true,
  },
];

export function categoryByCode(code: string): WorkOrderCategory | undefined {
  return WORK_ORDER_CATEGORIES.find((c) => c.code === code);
}

/** Alarm types that open a work order by themselves, and the category they open it in. */
export const ALARM_CATEGORY: Partial<Record<string, string>> = {
  sos: 'sos',
  route_missed: 'route_missed',
  bin_overflow: 'bin_overflow',
};
