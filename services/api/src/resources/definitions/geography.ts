import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import type { LineString, Point, Polygon } from 'geojson';
import { COLLECTIONS } from '@dwg/persistence';
import {
  areaM2,
  lengthM,
  lineStringProblems,
  pointInside,
  pointProblems,
  polygonInside,
  polygonProblems,
} from '../../geo/geometry';
import {
  OPERATIONS,
  SERVICE_LINES,
  SITE_KINDS,
  SITE_SERVICE_LINE,
  ZONE_LEVELS,
  type SiteKind,
} from '../model';
import type { BuildContext, ResourceDef } from '../resource-def';
import { failIf } from '../../common/domain-error';
import { serviceLineProblems } from '../rules';

const fail = failIf;
const serviceLineProblem = (line: string, ctx: BuildContext) => serviceLineProblems(line, ctx.contract);

const POLYGON_EXAMPLE = {
  type: 'Polygon',
  coordinates: [
    [
      [113.26, 23.15],
      [113.27, 23.15],
      [113.27, 23.16],
      [113.26, 23.16],
      [113.26, 23.15],
    ],
  ],
};

export class ZoneDto {
  @ApiProperty() @IsString() contractId!: string;
  @ApiProperty() @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ enum: ZONE_LEVELS }) @IsIn(ZONE_LEVELS) level!: string;
  @ApiPropertyOptional({ description: 'zone one or more levels up, in the same contract' })
  @IsOptional()
  @IsString()
  parentId?: string;
  @ApiProperty({ description: 'GeoJSON Polygon, WGS-84 [lng, lat]', example: POLYGON_EXAMPLE })
  @IsObject()
  geometry!: Polygon;
}
export class ZoneUpdateDto extends PartialType(ZoneDto) {}

export const zones: ResourceDef<ZoneDto> = {
  name: 'zones',
  label: 'zone',
  collection: COLLECTIONS.zones,
  dto: ZoneDto,
  updateDto: ZoneUpdateDto,
  contractScoped: true,
  computed: ['areaM2'],
  list: {
    filters: { contractId: 'string', level: 'string', parentId: 'string', name: 'string' },
    sortable: ['name', 'level', 'areaM2', 'createdAt'],
    search: ['name'],
  },
  async build(i, ctx) {
    fail(polygonProblems(i.geometry));
    if (i.parentId) {
      if (i.parentId === ctx.existing?._id) fail(['parentId: a zone cannot be its own parent']);
      const parent = await ctx.sameContract(COLLECTIONS.zones, i.parentId, 'parentId', 'zone');
      const pl = ZONE_LEVELS.indexOf(parent.level as (typeof ZONE_LEVELS)[number]);
      const cl = ZONE_LEVELS.indexOf(i.level as (typeof ZONE_LEVELS)[number]);
      if (pl >= cl)
        fail([
          `parentId: a ${i.level} zone cannot lie under a ${parent.level} zone (district > street > community > grid)`,
        ]);
      if (!polygonInside(i.geometry, parent.geometry as Polygon))
        fail([`geometry is not inside its parent zone "${parent._id}"`]);
    }
    return {
      name: i.name,
      level: i.level,
      parentId: i.parentId,
      geometry: i.geometry,
      areaM2: areaM2(i.geometry),
    };
  },
  referencedBy: [
    { collection: COLLECTIONS.zones, field: 'parentId', what: 'child zones' },
    { collection: COLLECTIONS.routes, field: 'zoneId', what: 'routes' },
    { collection: COLLECTIONS.sites, field: 'zoneId', what: 'sites' },
    { collection: COLLECTIONS.shifts, field: 'targetId', what: 'shifts' },
  ],
};

export class RouteDto {
  @ApiProperty() @IsString() contractId!: string;
  @ApiProperty() @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ enum: SERVICE_LINES }) @IsIn(SERVICE_LINES) serviceLine!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() zoneId?: string;
  @ApiProperty({ minimum: 1, maximum: 24 }) @IsInt() @Min(1) @Max(24) passesPerDay!: number;
  @ApiProperty({ enum: OPERATIONS, description: 'equipment that must be on for a pass to count' })
  @IsIn(OPERATIONS)
  requiredOperation!: string;
  @ApiProperty({
    description: 'GeoJSON LineString, WGS-84 [lng, lat]',
    example: {
      type: 'LineString',
      coordinates: [
        [113.26, 23.15],
        [113.27, 23.15],
      ],
    },
  })
  @IsObject()
  geometry!: LineString;
}
export class RouteUpdateDto extends PartialType(RouteDto) {}

export const routes: ResourceDef<RouteDto> = {
  name: 'routes',
  label: 'route',
  collection: COLLECTIONS.routes,
  dto: RouteDto,
  updateDto: RouteUpdateDto,
  contractScoped: true,
  computed: ['lengthM'],
  list: {
    filters: {
      contractId: 'string',
      serviceLine: 'string',
      zoneId: 'string',
      requiredOperation: 'string',
      name: 'string',
    },
    sortable: ['name', 'serviceLine', 'passesPerDay', 'lengthM', 'createdAt'],
    search: ['name'],
  },
  async build(i, ctx) {
    fail([...lineStringProblems(i.geometry), ...serviceLineProblem(i.serviceLine, ctx)]);
    if (i.zoneId) await ctx.sameContract(COLLECTIONS.zones, i.zoneId, 'zoneId', 'zone');
    return {
      name: i.name,
      serviceLine: i.serviceLine,
      zoneId: i.zoneId,
      passesPerDay: i.passesPerDay,
      requiredOperation: i.requiredOperation,
      geometry: i.geometry,
      lengthM: lengthM(i.geometry),
    };
  },
  referencedBy: [{ collection: COLLECTIONS.shifts, field: 'targetId', what: 'shifts' }],
};

export class SiteDto {
  @ApiProperty() @IsString() contractId!: string;
  @ApiProperty() @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ enum: SITE_KINDS }) @IsIn(SITE_KINDS) kind!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() zoneId?: string;
  @ApiPropertyOptional({ description: 'collection points: bins to pick up per visit' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(200)
  bins?: number;
  @ApiProperty({ description: 'GeoJSON Point (collection point, checkpoint) or Polygon (green area)' })
  @IsObject()
  geometry!: Point | Polygon;
}
export class SiteUpdateDto extends PartialType(SiteDto) {}

export const sites: ResourceDef<SiteDto> = {
  name: 'sites',
  label: 'site',
  collection: COLLECTIONS.sites,
  dto: SiteDto,
  updateDto: SiteUpdateDto,
  contractScoped: true,
  computed: ['serviceLine', 'areaM2'],
  list: {
    filters: {
      contractId: 'string',
      kind: 'string',
      zoneId: 'string',
      serviceLine: 'string',
      name: 'string',
    },
    sortable: ['name', 'kind', 'createdAt'],
    search: ['name'],
  },
  async build(i, ctx) {
    const kind = i.kind as SiteKind;
    const serviceLine = SITE_SERVICE_LINE[kind];
    const isArea = kind === 'green_area';
    fail([
      ...(isArea ? polygonProblems(i.geometry) : pointProblems(i.geometry)),
      ...serviceLineProblem(serviceLine, ctx),
    ]);
    if (i.zoneId) {
      const zone = await ctx.sameContract(COLLECTIONS.zones, i.zoneId, 'zoneId', 'zone');
      const inside = isArea
        ? polygonInside(i.geometry as Polygon, zone.geometry as Polygon)
        : pointInside(i.geometry as Point, zone.geometry as Polygon);
      if (!inside) fail([`geometry is not inside zone "${zone._id}"`]);
    }
    return {
      name: i.name,
      kind,
      serviceLine,
      zoneId: i.zoneId,
      bins: i.bins,
      geometry: i.geometry,
      areaM2: isArea ? areaM2(i.geometry as Polygon) : undefined,
    };
  },
};
