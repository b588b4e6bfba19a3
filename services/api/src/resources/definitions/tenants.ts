import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsObject,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { COLLECTIONS } from '@dwg/persistence';
import { AGENCY_LEVELS, KPI_NAMES, SERVICE_LINES } from '../model';
import { periodProblems } from '../shift-rules';
import { contractRulesProblems } from '../contract-rules';
import type { ResourceDef } from '../resource-def';
import { failIf } from '../../common/domain-error';

const CODE_RE = /^[a-z0-9][a-z0-9-]{1,31}$/;
const CODE_MSG = 'code must be 2-32 characters of a-z, 0-9 and -';

export class OperatorDto {
  @ApiProperty({ example: 'yuncheng' }) @Matches(CODE_RE, { message: CODE_MSG }) code!: string;
  @ApiProperty({ example: '云城环境服务有限公司' }) @IsString() @Length(1, 100) name!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) contact?: string;
}
export class OperatorUpdateDto extends PartialType(OperatorDto) {}

export const operators: ResourceDef<OperatorDto> = {
  name: 'operators',
  label: 'operator',
  collection: COLLECTIONS.operators,
  dto: OperatorDto,
  updateDto: OperatorUpdateDto,
  contractScoped: false,
  list: {
    filters: { code: 'string', name: 'string' },
    sortable: ['code', 'name', 'createdAt'],
    search: ['name', 'code'],
  },
  build: async (i) => ({ code: i.code, name: i.name, contact: i.contact }),
  referencedBy: [
    { collection: COLLECTIONS.contracts, field: 'operatorId', what: 'contracts' },
    { collection: COLLECTIONS.users, field: 'operatorId', what: 'users' },
  ],
  duplicate: (i) => `operator code "${i.code}" already exists`,
};

export class AgencyDto {
  @ApiProperty({ example: 'jingtai' }) @Matches(CODE_RE, { message: CODE_MSG }) code!: string;
  @ApiProperty({ example: '景泰街道办事处' }) @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ enum: AGENCY_LEVELS }) @IsIn(AGENCY_LEVELS) level!: string;
}
export class AgencyUpdateDto extends PartialType(AgencyDto) {}

export const agencies: ResourceDef<AgencyDto> = {
  name: 'agencies',
  label: 'agency',
  collection: COLLECTIONS.agencies,
  dto: AgencyDto,
  updateDto: AgencyUpdateDto,
  contractScoped: false,
  list: {
    filters: { code: 'string', name: 'string', level: 'string' },
    sortable: ['code', 'name', 'level', 'createdAt'],
    search: ['name', 'code'],
  },
  build: async (i) => ({ code: i.code, name: i.name, level: i.level }),
  referencedBy: [
    { collection: COLLECTIONS.contracts, field: 'agencyId', what: 'contracts' },
    { collection: COLLECTIONS.users, field: 'agencyId', what: 'users' },
  ],
  duplicate: (i) => `agency code "${i.code}" already exists`,
};

export class KpiTargetsDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  coverageRate?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  attendanceRate?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  onPostRate?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  onlineRate?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  workOrderOnTimeRate?: number;
}

export class DeductionRuleDto {
  @ApiProperty({ example: 'coverage-shortfall' })
  @Matches(/^[a-z0-9-]{2,40}$/, { message: 'code must be 2-40 characters of a-z, 0-9 and -' })
  code!: string;
  @ApiProperty() @IsString() @Length(1, 300) description!: string;
  @ApiProperty({ description: 'points deducted per occurrence', minimum: 0, maximum: 100 })
  @IsNumber()
  @Min(0)
  @Max(100)
  points!: number;
  @ApiPropertyOptional({ enum: KPI_NAMES, description: 'KPI the rule is about' })
  @IsOptional()
  @IsIn(KPI_NAMES)
  kpi?: string;
  @ApiPropertyOptional({
    description: 'most points this rule may deduct in a month',
    minimum: 0,
    maximum: 100,
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100)
  maxPerMonth?: number;
}

export class ContractDto {
  @ApiProperty({ example: 'BY-2025-HW-01' })
  @Matches(/^[A-Za-z0-9-]{2,40}$/, { message: 'code must be 2-40 characters of A-Z, a-z, 0-9 and -' })
  code!: string;
  @ApiProperty() @IsString() @Length(1, 200) name!: string;
  @ApiProperty() @IsString() agencyId!: string;
  @ApiProperty() @IsString() operatorId!: string;
  @ApiProperty({ enum: SERVICE_LINES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(SERVICE_LINES, { each: true })
  serviceLines!: string[];
  @ApiProperty({ example: '2025-01-01' }) @IsString() startDate!: string;
  @ApiProperty({ example: '2027-12-31' }) @IsString() endDate!: string;
  @ApiProperty({ type: KpiTargetsDto })
  @ValidateNested()
  @Type(() => KpiTargetsDto)
  kpiTargets!: KpiTargetsDto;
  @ApiProperty({ type: DeductionRuleDto, isArray: true })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => DeductionRuleDto)
  deductionRules!: DeductionRuleDto[];
  @ApiPropertyOptional({
    description:
      'thresholds: {evidence?: {coverage?, sites?, area?, post?, online?}, alarms?: {offPostMin?, zoneExitMin?, overspeedKmh?, …}}; unset keys use the defaults (docs/api.md)',
    example: { evidence: { coverage: { doneShare: 0.95 } }, alarms: { offPostMin: 15 } },
  })
  @IsOptional()
  @IsObject()
  rules?: Record<string, unknown>;
}
export class ContractUpdateDto extends PartialType(ContractDto) {}

export const contracts: ResourceDef<ContractDto> = {
  name: 'contracts',
  label: 'contract',
  collection: COLLECTIONS.contracts,
  dto: ContractDto,
  updateDto: ContractUpdateDto,
  contractScoped: false,
  immutable: ['agencyId', 'operatorId'],
  list: {
    filters: { code: 'string', agencyId: 'string', operatorId: 'string', serviceLines: 'string' },
    sortable: ['code', 'name', 'startDate', 'endDate', 'createdAt'],
    search: ['name', 'code'],
  },
  async build(i, ctx) {
    const problems = periodProblems(i.startDate, i.endDate);
    if (!(await ctx.find(COLLECTIONS.agencies, i.agencyId)))
      problems.push(`agencyId: no agency "${i.agencyId}"`);
    if (!(await ctx.find(COLLECTIONS.operators, i.operatorId)))
      problems.push(`operatorId: no operator "${i.operatorId}"`);
    const codes = i.deductionRules.map((r) => r.code);
    if (new Set(codes).size !== codes.length) problems.push('deductionRules: codes must be unique');
    if (ctx.existing) {
      // Narrowing a contract must not strand the work already planned under it.
      const before = (ctx.existing.serviceLines as string[]) ?? [];
      const dropped = before.filter((l) => !i.serviceLines.includes(l));
      if (dropped.length)
        problems.push(`serviceLines: cannot remove ${dropped.join(', ')} from an existing contract`);
    }
    problems.push(...contractRulesProblems(i.rules));
    failIf(problems);
    return {
      code: i.code,
      name: i.name,
      agencyId: i.agencyId,
      operatorId: i.operatorId,
      serviceLines: i.serviceLines,
      startDate: i.startDate,
      endDate: i.endDate,
      kpiTargets: { ...i.kpiTargets },
      deductionRules: i.deductionRules.map((r) => ({ ...r })),
      rules: i.rules,
    };
  },
  referencedBy: [
    [COLLECTIONS.zones, 'zones'],
    [COLLECTIONS.routes, 'routes'],
    [COLLECTIONS.sites, 'sites'],
    [COLLECTIONS.vehicles, 'vehicles'],
    [COLLECTIONS.teams, 'teams'],
    [COLLECTIONS.workers, 'workers'],
    [COLLECTIONS.devices, 'devices'],
    [COLLECTIONS.shifts, 'shifts'],
  ].map(([collection, what]) => ({ collection, field: 'contractId', what })),
  duplicate: (i) => `contract code "${i.code}" already exists`,
};
