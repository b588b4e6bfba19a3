import { createHmac } from 'node:crypto';
import type { LineString, Point, Polygon, Position } from 'geojson';
import { areaM2, lengthM } from '../geo/geometry';
import { SITE_SERVICE_LINE, type SiteKind } from '../resources/model';
import type { Role } from '../policy/roles';

/**
 * The demo district, generated deterministically (same data on every run) around 23.16 N, 113.27 E:
 * a 4.4 km square split into four street quadrants, one contract per quadrant.
 */
export const DEMO_CENTRE: [number, number] = [113.27, 23.16];
export const DEMO_DEVICE_KEY = 'dawuguan-demo-device-key-v1';
export const DEMO_START = '2025-01-01';
export const DEMO_END = '2027-12-31';

type D = Record<string, unknown> & { _id: string };

export interface DemoUser {
  _id: string;
  username: string;
  displayName: string;
  role: Role;
  operatorId?: string;
  agencyId?: string;
  password: string;
  /** Code of the tenant (operator or agency) or "platform". */
  tenant: string;
}

export interface DemoData {
  operators: D[];
  agencies: D[];
  contracts: D[];
  zones: D[];
  routes: D[];
  sites: D[];
  teams: D[];
  vehicles: D[];
  workers: D[];
  devices: (D & { kind: 'gps' | 'badge' })[];
  shifts: D[];
  users: DemoUser[];
}

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const r6 = (n: number) => Math.round(n * 1e6) / 1e6;

interface Box {
  w: number;
  s: number;
  e: number;
  n: number;
}

function rect(b: Box): Polygon {
  const ring: Position[] = [
    [b.w, b.s],
    [b.e, b.s],
    [b.e, b.n],
    [b.w, b.n],
    [b.w, b.s],
  ].map(([x, y]) => [r6(x), r6(y)]);
  return { type: 'Polygon', coordinates: [ring] };
}

const split = (b: Box, dir: 'ew' | 'ns'): [Box, Box] =>
  dir === 'ew'
    ? [
        { ...b, e: (b.w + b.e) / 2 },
        { ...b, w: (b.w + b.e) / 2 },
      ]
    : [
        { ...b, n: (b.s + b.n) / 2 },
        { ...b, s: (b.s + b.n) / 2 },
      ];

/** Secret of a demo device: HMAC of the demo key and its id, so re-seeding keeps the simulator's credentials valid. */
export function demoDeviceSecret(deviceId: string, key = DEMO_DEVICE_KEY): string {
  return createHmac('sha256', key).update(deviceId).digest('base64url').slice(0, 24);
}

export const demoPassword = (username: string) => `Demo!${username}#2025`;

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
  '罗',
  '梁',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '霞',
  '平',
  '刚',
  '桂英',
  '建华',
  '志强',
];

const KPI = {
  coverageRate: 0.95,
  attendanceRate: 0.98,
  onPostRate: 0.9,
  onlineRate: 0.97,
  workOrderOnTimeRate: 0.95,
};
const RULES = [
  {
    code: 'coverage-shortfall',
    description: '作业覆盖率低于目标，每低1个百分点扣分',
    points: 0.5,
    kpi: 'coverageRate',
    maxPerMonth: 20,
  },
  {
    code: 'absence',
    description: '作业人员缺勤，每人次扣分',
    points: 0.2,
    kpi: 'attendanceRate',
    maxPerMonth: 15,
  },
  {
    code: 'off-post',
    description: '离岗超过30分钟，每人次扣分',
    points: 0.2,
    kpi: 'onPostRate',
    maxPerMonth: 15,
  },
  {
    code: 'vehicle-offline',
    description: '作业车辆未上线，每车次扣分',
    points: 0.3,
    kpi: 'onlineRate',
    maxPerMonth: 10,
  },
  {
    code: 'overdue-order',
    description: '工单超时未结案（红牌），每单扣分',
    points: 1,
    kpi: 'workOrderOnTimeRate',
    maxPerMonth: 20,
  },
];

export function buildDemo(): DemoData {
  const rand = rng(20250101);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  const [cx, cy] = DEMO_CENTRE;
  const half = 0.02;
  const whole: Box = { w: cx - half, s: cy - half, e: cx + half, n: cy + half };
  const quadrants: Record<'nw' | 'ne' | 'sw' | 'se', Box> = {
    nw: { w: cx - half, s: cy, e: cx, n: cy + half },
    ne: { w: cx, s: cy, e: cx + half, n: cy + half },
    sw: { w: cx - half, s: cy - half, e: cx, n: cy },
    se: { w: cx, s: cy - half, e: cx + half, n: cy },
  };

  const operators: D[] = [
    { _id: 'op-yuncheng', code: 'yuncheng', name: '云城环境服务有限公司', contact: '020-8600 1001' },
    { _id: 'op-lvhua', code: 'lvhua', name: '绿华市政服务有限公司', contact: '020-8600 2002' },
  ];
  const agencies: D[] = [
    { _id: 'ag-baiyun-cg', code: 'baiyun-cg', name: '白云区城市管理和综合执法局', level: 'district' },
    { _id: 'ag-jingtai', code: 'jingtai', name: '景泰街道办事处', level: 'street' },
  ];
  const contractSpecs = [
    {
      _id: 'ct-by-hw-01',
      code: 'BY-2025-HW-01',
      name: '白云区西北片区环卫保洁及垃圾分类服务',
      agency: 'ag-baiyun-cg',
      operator: 'op-yuncheng',
      lines: ['sanitation', 'waste_sorting'],
      q: 'nw' as const,
      street: '松洲街',
    },
    {
      _id: 'ct-by-lh-02',
      code: 'BY-2025-LH-02',
      name: '白云区东北片区绿化养护服务',
      agency: 'ag-baiyun-cg',
      operator: 'op-lvhua',
      lines: ['greening'],
      q: 'ne' as const,
      street: '同德街',
    },
    {
      _id: 'ct-jt-xc-03',
      code: 'JT-2025-XC-03',
      name: '景泰街综合巡查服务',
      agency: 'ag-jingtai',
      operator: 'op-lvhua',
      lines: ['patrol'],
      q: 'sw' as const,
      street: '景泰街西片',
    },
    {
      _id: 'ct-jt-hw-04',
      code: 'JT-2025-HW-04',
      name: '景泰街环卫保洁及垃圾分类服务',
      agency: 'ag-jingtai',
      operator: 'op-yuncheng',
      lines: ['sanitation', 'waste_sorting'],
      q: 'se' as const,
      street: '景泰街东片',
    },
  ];
  const contracts: D[] = contractSpecs.map((c) => ({
    _id: c._id,
    code: c.code,
    name: c.name,
    agencyId: c.agency,
    operatorId: c.operator,
    serviceLines: c.lines,
    startDate: DEMO_START,
    endDate: DEMO_END,
    kpiTargets: KPI,
    deductionRules: RULES,
  }));
  const tenant = (cid: string) => {
    const c = contractSpecs.find((x) => x._id === cid)!;
    return { contractId: cid, operatorId: c.operator, agencyId: c.agency };
  };

  // Zones: C1 has the district on top; every contract has its street, two communities and grids in them.
  const zones: D[] = [];
  const gridsOf: Record<string, { id: string; box: Box }[]> = {};
  const streetOf: Record<string, string> = {};
  const zone = (cid: string, id: string, name: string, level: string, box: Box, parentId?: string) => {
    const geometry = rect(box);
    zones.push({
      _id: id,
      ...tenant(cid),
      name,
      level,
      ...(parentId ? { parentId } : {}),
      geometry,
      areaM2: areaM2(geometry),
    });
  };
  contractSpecs.forEach((c, ci) => {
    const n = ci + 1;
    let parent: string | undefined;
    if (n === 1) {
      zone(c._id, 'zone-01-district', '白云区示范片区', 'district', whole);
      parent = 'zone-01-district';
    }
    const sid = `zone-0${n}-street`;
    zone(c._id, sid, c.street, 'street', quadrants[c.q], parent);
    streetOf[c._id] = sid;
    gridsOf[c._id] = [];
    split(quadrants[c.q], 'ew').forEach((cb, k) => {
      const cid = `zone-0${n}-community-${k + 1}`;
      zone(c._id, cid, `${c.street}${k === 0 ? '西' : '东'}社区`, 'community', cb, sid);
      const grids = n === 1 ? split(cb, 'ns') : [split(cb, 'ns')[0]];
      grids.forEach((gb, g) => {
        const gid = `zone-0${n}-grid-${k + 1}${g + 1}`;
        zone(c._id, gid, `${c.street}第${k * 2 + g + 1}网格`, 'grid', gb, cid);
        gridsOf[c._id].push({ id: gid, box: gb });
      });
    });
  });

  // Roads and routes: streets along a 0.004° grid inside each quadrant, with a little jitter on the vertices.
  const routes: D[] = [];
  const routesOf: Record<string, string[]> = {};
  const roadLine = (b: Box, dir: 'ew' | 'ns', k: number): LineString => {
    const pts: Position[] = [];
    const steps = 10;
    for (let i = 0; i <= steps; i++) {
      const t = i / steps;
      const jitter = (rand() - 0.5) * 0.0003;
      const along =
        dir === 'ew' ? b.w + 0.001 + t * (b.e - b.w - 0.002) : b.s + 0.001 + t * (b.n - b.s - 0.002);
      const across = (dir === 'ew' ? b.s : b.w) + 0.004 * (k + 1) + jitter;
      pts.push(dir === 'ew' ? [r6(along), r6(across)] : [r6(across), r6(along)]);
    }
    return { type: 'LineString', coordinates: pts };
  };
  let routeNo = 0;
  const ROAD_NAMES = [
    '云城路',
    '机场路',
    '广园路',
    '三元里大道',
    '白云大道',
    '景泰直街',
    '松柏路',
    '远景路',
    '同和路',
    '沙太路',
  ];
  for (const c of contractSpecs) {
    routesOf[c._id] = [];
    const q = quadrants[c.q];
    const plan: { dir: 'ew' | 'ns'; k: number; line: string; op: string; passes: number }[] = [];
    if (c.lines.includes('sanitation')) {
      for (let k = 0; k < 4; k++)
        plan.push({ dir: 'ew', k, line: 'sanitation', op: 'sweep', passes: k % 2 === 0 ? 2 : 1 });
      for (let k = 0; k < 4; k++)
        plan.push({ dir: 'ns', k, line: 'sanitation', op: k < 2 ? 'sweep' : 'spray', passes: k < 2 ? 2 : 1 });
    }
    if (c.lines.includes('patrol'))
      for (let k = 0; k < 4; k++)
        plan.push({ dir: k % 2 ? 'ns' : 'ew', k, line: 'patrol', op: 'none', passes: 3 });
    for (const p of plan) {
      const id = `route-${String(++routeNo).padStart(2, '0')}`;
      const geometry = roadLine(q, p.dir, p.k);
      routes.push({
        _id: id,
        ...tenant(c._id),
        name: `${ROAD_NAMES[(routeNo - 1) % ROAD_NAMES.length]}${p.op === 'spray' ? '冲洗' : p.line === 'patrol' ? '巡查' : '清扫'}线路${routeNo}`,
        serviceLine: p.line,
        zoneId: streetOf[c._id],
        passesPerDay: p.passes,
        requiredOperation: p.op,
        geometry,
        lengthM: lengthM(geometry),
      });
      routesOf[c._id].push(id);
    }
  }

  // Sites inside the grids of their contract.
  const sites: D[] = [];
  const place = (cid: string, kind: SiteKind, count: number, label: string) => {
    const grids = gridsOf[cid];
    for (let i = 0; i < count; i++) {
      const g = grids[i % grids.length];
      const m = 0.0008;
      const x = g.box.w + m + rand() * (g.box.e - g.box.w - 2 * m);
      const y = g.box.s + m + rand() * (g.box.n - g.box.s - 2 * m);
      const id = `site-${String(sites.length + 1).padStart(3, '0')}`;
      let geometry: Point | Polygon;
      if (kind === 'green_area') {
        const dx = 0.0003 + rand() * 0.0005;
        const dy = 0.0003 + rand() * 0.0005;
        geometry = rect({ w: x - dx / 2, e: x + dx / 2, s: y - dy / 2, n: y + dy / 2 });
      } else geometry = { type: 'Point', coordinates: [r6(x), r6(y)] };
      sites.push({
        _id: id,
        ...tenant(cid),
        name: `${label}${i + 1}`,
        kind,
        serviceLine: SITE_SERVICE_LINE[kind],
        zoneId: g.id,
        ...(kind === 'collection_point' ? { bins: 2 + Math.floor(rand() * 6) } : {}),
        geometry,
        ...(kind === 'green_area' ? { areaM2: areaM2(geometry as Polygon) } : {}),
      });
    }
  };
  place('ct-by-hw-01', 'collection_point', 30, '松洲垃圾分类投放点');
  place('ct-jt-hw-04', 'collection_point', 30, '景泰垃圾分类投放点');
  place('ct-jt-xc-03', 'checkpoint', 40, '景泰巡查点');
  place('ct-by-lh-02', 'green_area', 30, '同德街绿地');

  // Teams and workers.
  const teams: D[] = [];
  const workers: D[] = [];
  const teamPlan: [string, string, number][] = [
    ['ct-by-hw-01', 'sanitation', 7],
    ['ct-by-hw-01', 'waste_sorting', 3],
    ['ct-by-lh-02', 'greening', 6],
    ['ct-jt-xc-03', 'patrol', 6],
    ['ct-jt-hw-04', 'sanitation', 6],
    ['ct-jt-hw-04', 'waste_sorting', 2],
  ];
  const LINE_ROLE: Record<string, string> = {
    sanitation: 'sweeper',
    waste_sorting: 'sorter',
    greening: 'gardener',
    patrol: 'patroller',
  };
  const LINE_NAME: Record<string, string> = {
    sanitation: '保洁',
    waste_sorting: '分类督导',
    greening: '绿化',
    patrol: '巡查',
  };
  const teamsOf: Record<string, string[]> = {};
  for (const [cid, line, count] of teamPlan) {
    teamsOf[cid] ??= [];
    for (let t = 0; t < count; t++) {
      const id = `team-${String(teams.length + 1).padStart(2, '0')}`;
      teams.push({ _id: id, ...tenant(cid), name: `${LINE_NAME[line]}${t + 1}班`, serviceLine: line });
      teamsOf[cid].push(id);
      const opCode = contractSpecs.find((c) => c._id === cid)!.operator === 'op-yuncheng' ? 'YC' : 'LH';
      for (let w = 0; w < 10; w++) {
        const no = workers.length + 1;
        workers.push({
          _id: `worker-${String(no).padStart(3, '0')}`,
          ...tenant(cid),
          employeeNo: `${opCode}-${String(no).padStart(4, '0')}`,
          name: pick(SURNAMES) + pick(GIVEN),
          role: w === 0 ? 'team_leader' : LINE_ROLE[line],
          teamId: id,
          phone: `+86 139 ${String(2000_0000 + no * 7919).slice(0, 4)} ${String(1000 + no).slice(-4)}`,
        });
      }
    }
  }

  // Vehicles.
  const vehicles: D[] = [];
  const fleet: [string, string, number][] = [
    ['ct-by-hw-01', 'sweeper', 8],
    ['ct-by-hw-01', 'washer', 4],
    ['ct-by-hw-01', 'compactor_truck', 6],
    ['ct-by-lh-02', 'sprinkler', 5],
    ['ct-by-lh-02', 'pickup', 3],
    ['ct-jt-xc-03', 'patrol_car', 7],
    ['ct-jt-hw-04', 'sweeper', 8],
    ['ct-jt-hw-04', 'washer', 4],
    ['ct-jt-hw-04', 'compactor_truck', 5],
  ];
  const MODELS: Record<string, string> = {
    sweeper: '宇通 YTZ5180TSLE6 纯电动洗扫车',
    washer: '福龙马 FLM5180GQXD 清洗车',
    compactor_truck: '中联 ZBH5180ZYSDFE6 压缩式垃圾车',
    sprinkler: '程力 CLW5070GPS 绿化喷洒车',
    pickup: '五十铃 D-MAX 皮卡',
    patrol_car: '比亚迪 秦PLUS 巡查车',
  };
  for (const [cid, type, count] of fleet) {
    for (let i = 0; i < count; i++) {
      const no = vehicles.length + 1;
      const serviceTeams = teams.filter((t) => t.contractId === cid);
      vehicles.push({
        _id: `vehicle-${String(no).padStart(3, '0')}`,
        ...tenant(cid),
        plate: `粤A·${'DFHK'[no % 4]}${String(10000 + no * 37).slice(-5)}`,
        type,
        teamId: serviceTeams[i % serviceTeams.length]._id,
        model: MODELS[type],
      });
    }
  }

  // Devices: a GPS terminal in every vehicle, a badge on every worker.
  const devices: DemoData['devices'] = [
    ...vehicles.map((v, i) => ({
      _id: `veh-${String(i + 1).padStart(4, '0')}`,
      kind: 'gps' as const,
      contractId: v.contractId,
      operatorId: v.operatorId,
      agencyId: v.agencyId,
      vehicleId: v._id,
      label: `GPS ${v.plate}`,
    })),
    ...workers.map((w, i) => ({
      _id: `bdg-${String(i + 1).padStart(4, '0')}`,
      kind: 'badge' as const,
      contractId: w.contractId,
      operatorId: w.operatorId,
      agencyId: w.agencyId,
      workerId: w._id,
      label: `工牌 ${w.employeeNo}`,
    })),
  ];

  // Shifts for the working week: teams on their grids, vehicles on their routes or zones.
  const shifts: D[] = [];
  const shift = (
    cid: string,
    name: string,
    assigneeType: string,
    assigneeId: string,
    targetType: string,
    targetId: string,
    days: number[],
    start: string,
    end: string,
  ) =>
    shifts.push({
      _id: `shift-${String(shifts.length + 1).padStart(3, '0')}`,
      ...tenant(cid),
      name,
      assigneeType,
      assigneeId,
      targetType,
      targetId,
      days,
      start,
      end,
      validFrom: DEMO_START,
      validTo: DEMO_END,
      graceMinutes: 10,
    });
  // City services run every day (patrol cars and teams too), so every day of the demo has tasks on all lines.
  const WEEK = [1, 2, 3, 4, 5, 6, 7];
  const ALL_WEEK = [1, 2, 3, 4, 5, 6, 7];
  for (const t of teams) {
    const cid = String(t.contractId);
    const grids = gridsOf[cid];
    const i = teamsOf[cid].indexOf(t._id);
    const early = i % 2 === 0;
    shift(
      cid,
      `${t.name}${early ? '早班' : '午班'}`,
      'team',
      t._id,
      'zone',
      grids[i % grids.length].id,
      t.serviceLine === 'patrol' ? ALL_WEEK : WEEK,
      early ? '06:00' : '14:00',
      early ? '14:00' : '22:00',
    );
  }
  for (const v of vehicles) {
    const cid = String(v.contractId);
    const rs = routesOf[cid];
    const i = vehicles.filter((x) => x.contractId === cid).indexOf(v);
    const label = `${v.plate}`;
    if ((v.type === 'sweeper' || v.type === 'washer' || v.type === 'patrol_car') && rs.length) {
      const candidates = routes.filter(
        (r) =>
          r.contractId === cid &&
          (v.type === 'washer'
            ? r.requiredOperation === 'spray'
            : v.type === 'sweeper'
              ? r.requiredOperation === 'sweep'
              : true),
      );
      const r = candidates[i % candidates.length];
      const night = v.type === 'washer';
      shift(
        cid,
        `${label} ${night ? '夜间冲洗' : '作业'}`,
        'vehicle',
        v._id,
        'route',
        r._id,
        v.type === 'patrol_car' ? ALL_WEEK : WEEK,
        night ? '22:00' : '05:30',
        night ? '04:00' : '11:30',
      );
    } else {
      const grids = gridsOf[cid];
      shift(
        cid,
        `${label} 作业`,
        'vehicle',
        v._id,
        'zone',
        v.type === 'compactor_truck' ? streetOf[cid] : grids[i % grids.length].id,
        WEEK,
        '07:00',
        '15:00',
      );
    }
  }

  const users: DemoUser[] = [
    {
      _id: 'user-admin',
      username: 'admin',
      displayName: '平台管理员',
      role: 'admin',
      password: demoPassword('admin'),
      tenant: 'platform',
    },
  ];
  for (const op of operators) {
    const prefix = op.code === 'yuncheng' ? 'yc' : 'lh';
    for (const [role, label] of [
      ['operator_manager', 'manager', '运营经理'],
      ['dispatcher', 'dispatcher', '调度员'],
      ['field_worker', 'worker', '一线员工'],
    ].map(([r, l, d]) => [r, `${l}|${d}`])) {
      const [suffix, name] = label.split('|');
      const username = `${prefix}.${suffix}`;
      users.push({
        _id: `user-${prefix}-${suffix}`,
        username,
        displayName: `${op.name} ${name}`,
        role: role as Role,
        operatorId: op._id,
        password: demoPassword(username),
        tenant: String(op.code),
      });
    }
  }
  for (const ag of agencies) {
    const prefix = ag.code === 'baiyun-cg' ? 'bycg' : 'jt';
    const username = `${prefix}.reviewer`;
    users.push({
      _id: `user-${prefix}-reviewer`,
      username,
      displayName: `${ag.name} 考核员`,
      role: 'gov_reviewer',
      agencyId: ag._id,
      password: demoPassword(username),
      tenant: String(ag.code),
    });
  }

  return {
    operators,
    agencies,
    contracts,
    zones,
    routes,
    sites,
    teams,
    vehicles,
    workers,
    devices,
    shifts,
    users,
  };
}

/** Zones, routes and sites as one GeoJSON FeatureCollection (for the simulator and the console). */
export function demoGeoJson(d: DemoData) {
  const feature = (layer: string, x: D) => {
    const { geometry, _id, ...props } = x;
    return { type: 'Feature', id: _id, geometry, properties: { layer, id: _id, ...props } };
  };
  return {
    type: 'FeatureCollection',
    features: [
      ...d.zones.map((z) => feature('zone', z)),
      ...d.routes.map((r) => feature('route', r)),
      ...d.sites.map((s) => feature('site', s)),
    ],
  };
}
