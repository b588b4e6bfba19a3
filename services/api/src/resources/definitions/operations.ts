import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { DEVICE_KINDS } from '@dwg/contracts';
import { failIf, forbidden } from '../../common/domain-error';
import { deviceProblems, normalisePlate, serviceLineProblems, userTenantProblems } from '../rules';
import { COLLECTIONS } from '@dwg/persistence';
import { ASSIGNEE_TYPES, SERVICE_LINES, TARGET_TYPES, VEHICLE_TYPES, WORKER_ROLES } from '../model';
import { shiftTimeProblems } from '../shift-rules';
import type { BuildContext, ResourceDef } from '../resource-def';
import { OPERATOR_ROLES, ROLES, type Role } from '../../policy/roles';
import type { Principal } from '../../policy/principal';

const fail = failIf;
const serviceLineProblem = (line: string, ctx: BuildContext) => serviceLineProblems(line, ctx.contract);

export class VehicleDto {
  @ApiProperty() @IsString() contractId!: string;
  @ApiProperty({ example: '粤A·D1234' })
  @IsString()
  @Matches(/^\s*\S(.*\S)?\s*$/, { message: 'plate must not be blank' })
  @Length(4, 16)
  plate!: string;
  @ApiProperty({ enum: VEHICLE_TYPES }) @IsIn(VEHICLE_TYPES) type!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() teamId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) model?: string;
}
export class VehicleUpdateDto extends PartialType(VehicleDto) {}

export const vehicles: ResourceDef<VehicleDto> = {
  name: 'vehicles',
  label: 'vehicle',
  collection: COLLECTIONS.vehicles,
  dto: VehicleDto,
  updateDto: VehicleUpdateDto,
  contractScoped: true,
  list: {
    filters: { contractId: 'string', type: 'string', teamId: 'string', plate: 'string' },
    sortable: ['plate', 'type', 'createdAt'],
    search: ['plate', 'model'],
  },
  async build(i, ctx) {
    if (i.teamId) await ctx.sameContract(COLLECTIONS.teams, i.teamId, 'teamId', 'team');
    return { plate: normalisePlate(i.plate), type: i.type, teamId: i.teamId, model: i.model };
  },
  referencedBy: [
    { collection: COLLECTIONS.devices, field: 'vehicleId', what: 'devices' },
    { collection: COLLECTIONS.shifts, field: 'assigneeId', what: 'shifts' },
  ],
  duplicate: (i) => `plate "${normalisePlate(i.plate)}" is already registered`,
};

export class TeamDto {
  @ApiProperty() @IsString() contractId!: string;
  @ApiProperty() @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ enum: SERVICE_LINES }) @IsIn(SERVICE_LINES) serviceLine!: string;
}
export class TeamUpdateDto extends PartialType(TeamDto) {}

export const teams: ResourceDef<TeamDto> = {
  name: 'teams',
  label: 'team',
  collection: COLLECTIONS.teams,
  dto: TeamDto,
  updateDto: TeamUpdateDto,
  contractScoped: true,
  list: {
    filters: { contractId: 'string', serviceLine: 'string', name: 'string' },
    sortable: ['name', 'serviceLine', 'createdAt'],
    search: ['name'],
  },
  async build(i, ctx) {
    fail(serviceLineProblem(i.serviceLine, ctx));
    return { name: i.name, serviceLine: i.serviceLine };
  },
  referencedBy: [
    { collection: COLLECTIONS.workers, field: 'teamId', what: 'workers' },
    { collection: COLLECTIONS.vehicles, field: 'teamId', what: 'vehicles' },
    { collection: COLLECTIONS.shifts, field: 'assigneeId', what: 'shifts' },
  ],
};

export class WorkerDto {
  @ApiProperty() @IsString() contractId!: string;
  @ApiProperty({ example: 'YC-0001' })
  @Matches(/^[A-Za-z0-9-]{1,20}$/, { message: 'employeeNo must be 1-20 characters of A-Z, a-z, 0-9 and -' })
  employeeNo!: string;
  @ApiProperty() @IsString() @Length(1, 60) name!: string;
  @ApiProperty({ enum: WORKER_ROLES }) @IsIn(WORKER_ROLES) role!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() teamId?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^\+?[0-9 -]{5,20}$/, { message: 'phone must be a phone number' })
  phone?: string;
}
export class WorkerUpdateDto extends PartialType(WorkerDto) {}

export const workers: ResourceDef<WorkerDto> = {
  name: 'workers',
  label: 'worker',
  collection: COLLECTIONS.workers,
  dto: WorkerDto,
  updateDto: WorkerUpdateDto,
  contractScoped: true,
  list: {
    filters: { contractId: 'string', teamId: 'string', role: 'string', employeeNo: 'string' },
    sortable: ['employeeNo', 'name', 'role', 'createdAt'],
    search: ['name', 'employeeNo'],
  },
  async build(i, ctx) {
    if (i.teamId) await ctx.sameContract(COLLECTIONS.teams, i.teamId, 'teamId', 'team');
    return { employeeNo: i.employeeNo, name: i.name, role: i.role, teamId: i.teamId, phone: i.phone };
  },
  referencedBy: [
    { collection: COLLECTIONS.devices, field: 'workerId', what: 'devices' },
    { collection: COLLECTIONS.shifts, field: 'assigneeId', what: 'shifts' },
  ],
  duplicate: (i) => `employeeNo "${i.employeeNo}" already exists in contract "${i.contractId}"`,
};

export class DeviceDto {
  @ApiPropertyOptional({
    description: 'required on create: the device id (MQTT username)',
    example: 'veh-0001',
  })
  @IsOptional()
  @IsString()
  id?: string;
  @ApiProperty({ enum: DEVICE_KINDS }) @IsIn(DEVICE_KINDS) kind!: string;
  @ApiProperty() @IsString() contractId!: string;
  @ApiPropertyOptional({ description: 'gps terminals: the vehicle it is fitted to' })
  @IsOptional()
  @IsString()
  vehicleId?: string;
  @ApiPropertyOptional({ description: 'badges: the worker who wears it' })
  @IsOptional()
  @IsString()
  workerId?: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) label?: string;
}
export class DeviceUpdateDto extends PartialType(DeviceDto) {}

export const devices: ResourceDef<DeviceDto> = {
  name: 'devices',
  label: 'device',
  collection: COLLECTIONS.devices,
  dto: DeviceDto,
  updateDto: DeviceUpdateDto,
  contractScoped: true,
  immutable: ['kind'],
  hidden: ['secretHash', 'secretSalt', 'iterations'],
  list: {
    filters: {
      contractId: 'string',
      kind: 'string',
      enabled: 'boolean',
      vehicleId: 'string',
      workerId: 'string',
    },
    sortable: ['kind', 'enabled', 'createdAt', 'updatedAt'],
    search: ['label'],
  },
  newId: (i) => String(i.id),
  async build(i, ctx) {
    fail(deviceProblems(i, !ctx.existing));
    if (i.vehicleId) await ctx.sameContract(COLLECTIONS.vehicles, i.vehicleId, 'vehicleId', 'vehicle');
    if (i.workerId) await ctx.sameContract(COLLECTIONS.workers, i.workerId, 'workerId', 'worker');
    return {
      kind: i.kind,
      vehicleId: i.vehicleId,
      workerId: i.workerId,
      enabled: i.enabled ?? ctx.existing?.enabled ?? true,
      label: i.label,
    };
  },
  duplicate: (i) => `device id "${i.id}" already exists`,
};

export class ShiftDto {
  @ApiProperty() @IsString() contractId!: string;
  @ApiProperty() @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ enum: ASSIGNEE_TYPES }) @IsIn(ASSIGNEE_TYPES) assigneeType!: string;
  @ApiProperty() @IsString() assigneeId!: string;
  @ApiProperty({ enum: TARGET_TYPES }) @IsIn(TARGET_TYPES) targetType!: string;
  @ApiProperty() @IsString() targetId!: string;
  @ApiProperty({ description: 'ISO weekdays, 1 = Monday ... 7 = Sunday', example: [1, 2, 3, 4, 5] })
  @IsArray()
  @ArrayMaxSize(7)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(7, { each: true })
  days!: number[];
  @ApiProperty({ example: '06:00', description: 'local time (Asia/Shanghai) HH:mm' })
  @IsString()
  start!: string;
  @ApiProperty({ example: '14:00', description: 'before start = the shift runs past midnight' })
  @IsString()
  end!: string;
  @ApiProperty({ example: '2025-01-06' }) @IsString() validFrom!: string;
  @ApiPropertyOptional({ example: '2025-12-31' }) @IsOptional() @IsString() validTo?: string;
  @ApiPropertyOptional({
    description: 'minutes after start that still count as on time',
    minimum: 0,
    maximum: 120,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120)
  graceMinutes?: number;
  @ApiPropertyOptional({
    enum: SERVICE_LINES,
    description: "service line of the work, when neither the route, the team nor the vehicle's type says it",
  })
  @IsOptional()
  @IsIn(SERVICE_LINES)
  serviceLine?: string;
  @ApiPropertyOptional({
    description:
      "passes (route) or rounds (checkpoints, collection points) this shift must do; default the route's passesPerDay, one round",
    minimum: 1,
    maximum: 24,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(24)
  passes?: number;
  @ApiPropertyOptional({ description: 'greening: completion needs a photo (default true)' })
  @IsOptional()
  @IsBoolean()
  photoRequired?: boolean;
}
export class ShiftUpdateDto extends PartialType(ShiftDto) {}

const ASSIGNEE_COLLECTION = {
  worker: COLLECTIONS.workers,
  team: COLLECTIONS.teams,
  vehicle: COLLECTIONS.vehicles,
} as const;
const TARGET_COLLECTION = { zone: COLLECTIONS.zones, route: COLLECTIONS.routes } as const;

export const shifts: ResourceDef<ShiftDto> = {
  name: 'shifts',
  label: 'shift',
  collection: COLLECTIONS.shifts,
  dto: ShiftDto,
  updateDto: ShiftUpdateDto,
  contractScoped: true,
  list: {
    filters: {
      contractId: 'string',
      assigneeType: 'string',
      assigneeId: 'string',
      targetType: 'string',
      targetId: 'string',
      days: 'number',
    },
    sortable: ['name', 'start', 'validFrom', 'createdAt'],
    search: ['name'],
  },
  async build(i, ctx) {
    const c = ctx.contract as unknown as { startDate: string; endDate: string };
    fail([...shiftTimeProblems(i, c), ...(i.serviceLine ? serviceLineProblem(i.serviceLine, ctx) : [])]);
    await ctx.sameContract(
      ASSIGNEE_COLLECTION[i.assigneeType as keyof typeof ASSIGNEE_COLLECTION],
      i.assigneeId,
      'assigneeId',
      i.assigneeType,
    );
    await ctx.sameContract(
      TARGET_COLLECTION[i.targetType as keyof typeof TARGET_COLLECTION],
      i.targetId,
      'targetId',
      i.targetType,
    );
    return {
      name: i.name,
      assigneeType: i.assigneeType,
      assigneeId: i.assigneeId,
      targetType: i.targetType,
      targetId: i.targetId,
      days: [...i.days].sort((a, b) => a - b),
      start: i.start,
      end: i.end,
      validFrom: i.validFrom,
      validTo: i.validTo,
      graceMinutes: i.graceMinutes ?? 10,
      serviceLine: i.serviceLine,
      passes: i.passes,
      photoRequired: i.photoRequired,
    };
  },
};

export class UserDto {
  @ApiProperty({ example: 'yc.dispatcher' })
  @Matches(/^[a-z0-9][a-z0-9._-]{2,39}$/, {
    message: 'username must be 3-40 characters of a-z, 0-9, ., _ and -',
  })
  username!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) displayName?: string;
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role!: string;
  @ApiPropertyOptional({ description: 'operator roles: their operator' })
  @IsOptional()
  @IsString()
  operatorId?: string;
  @ApiPropertyOptional({ description: 'gov_reviewer: their agency' })
  @IsOptional()
  @IsString()
  agencyId?: string;
  @ApiPropertyOptional({ description: 'required on create; write-only', minLength: 10 })
  @IsOptional()
  @IsString()
  @Length(10, 128)
  password?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() disabled?: boolean;
}
export class UserUpdateDto extends PartialType(UserDto) {}

export const users: ResourceDef<UserDto> = {
  name: 'users',
  label: 'user',
  collection: COLLECTIONS.users,
  dto: UserDto,
  updateDto: UserUpdateDto,
  contractScoped: false,
  immutable: ['username'],
  hidden: ['passwordHash', 'failedLogins', 'lockedUntil', 'tokenVersion'],
  writeOnly: ['password'],
  list: {
    filters: {
      role: 'string',
      operatorId: 'string',
      agencyId: 'string',
      username: 'string',
      disabled: 'boolean',
    },
    sortable: ['username', 'role', 'createdAt'],
    search: ['username', 'displayName'],
  },
  async build(i, ctx) {
    const problems = userTenantProblems(i);
    if (!ctx.existing && !i.password) problems.push('password is required (10-128 characters)');
    if (i.operatorId && !(await ctx.find(COLLECTIONS.operators, i.operatorId)))
      problems.push(`operatorId: no operator "${i.operatorId}"`);
    if (i.agencyId && !(await ctx.find(COLLECTIONS.agencies, i.agencyId)))
      problems.push(`agencyId: no agency "${i.agencyId}"`);
    fail(problems);
    const ex = ctx.existing;
    // A new password, a disabled account or a new role ends every session issued before (refresh tokens carry the version).
    const invalidate =
      !!ex && (!!i.password || (i.disabled ?? false) !== (ex.disabled ?? false) || i.role !== ex.role);
    return {
      username: i.username,
      displayName: i.displayName,
      role: i.role,
      operatorId: i.operatorId,
      agencyId: i.agencyId,
      disabled: i.disabled ?? false,
      passwordHash: i.password ? await ctx.hashPassword(i.password) : ex?.passwordHash,
      tokenVersion: ((ex?.tokenVersion as number | undefined) ?? 0) + (invalidate ? 1 : 0),
    };
  },
  authorize(p: Principal, doc, existing) {
    const deleting = doc === existing;
    if (existing && existing._id === p.id) {
      if (deleting) throw forbidden('you cannot delete your own account');
      if (doc.role !== existing.role || doc.disabled === true)
        throw forbidden('you cannot change your own role or disable yourself');
    }
    if (p.role === 'operator_manager') {
      if (!OPERATOR_ROLES.includes(doc.role as Role))
        throw forbidden('an operator manager may only manage accounts with operator roles');
    }
  },
  duplicate: (i) => `username "${i.username}" is taken`,
};
