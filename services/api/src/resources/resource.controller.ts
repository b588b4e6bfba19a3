import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Res,
  type Type,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { HttpResponse } from '../http/http-types';
import { contentRange, MAX_PAGE_SIZE } from '../common/list-query';
import type { Principal } from '../policy/principal';
import { Act, CurrentUser, ResourceOf } from '../auth/decorators';
import type { ResourceDef } from './resource-def';
import { ResourceService } from './resource.service';

/** The react-admin list parameters, documented in OpenAPI. */
export const ListQueries = () =>
  applyDecorators(
    ApiQuery({
      name: 'sort',
      required: false,
      description: 'JSON ["field","ASC"|"DESC"]',
      example: '["id","ASC"]',
    }),
    ApiQuery({
      name: 'range',
      required: false,
      description: `JSON [start,end] inclusive; at most ${MAX_PAGE_SIZE} per page`,
      example: '[0,24]',
    }),
    ApiQuery({
      name: 'filter',
      required: false,
      description: 'JSON object: field values (arrays match any), "id": [...], "q": text',
      example: '{}',
    }),
  );

/**
 * Builds the thin HTTP adapter of one resource, following react-admin's simple REST conventions:
 * GET /api/<name>?sort&range&filter with Content-Range, GET/PUT/DELETE /api/<name>/:id, POST /api/<name>.
 */
export function resourceController(def: ResourceDef): Type<unknown> {
  @ApiTags(def.name)
  @ApiBearerAuth()
  @ApiForbiddenResponse({ description: 'role may not do this' })
  @ResourceOf(def.name)
  @Controller(`api/${def.name}`)
  class ResourceController {
    constructor(@Inject(ResourceService) readonly svc: ResourceService) {}

    @Get()
    @Act('read')
    @ApiOperation({
      summary: `List ${def.name} (scoped to your tenant); Content-Range header gives the total`,
    })
    @ListQueries()
    async list(
      @CurrentUser() p: Principal,
      @Query() q: Record<string, unknown>,
      @Res({ passthrough: true }) res: HttpResponse,
    ) {
      const { rows, total, start } = await this.svc.list(def, p, q);
      res.setHeader('Content-Range', contentRange(def.name, start, rows.length, total));
      return rows;
    }

    @Get(':id')
    @Act('read')
    @ApiOperation({ summary: `Get one ${def.label}` })
    @ApiNotFoundResponse({ description: 'no such id within your tenant' })
    get(@CurrentUser() p: Principal, @Param('id') id: string) {
      return this.svc.get(def, p, id);
    }

    @Post()
    @Act('write')
    @ApiOperation({ summary: `Create a ${def.label}` })
    @ApiBody({ type: def.dto })
    @ApiCreatedResponse({ description: `the created ${def.label}` })
    create(@CurrentUser() p: Principal, @Body() body: Record<string, unknown>) {
      return this.svc.create(def, p, body);
    }

    @Put(':id')
    @Act('write')
    @ApiOperation({
      summary: `Update a ${def.label}: send the fields to change (or the whole record as react-admin does); null clears an optional field`,
    })
    @ApiBody({ type: def.updateDto })
    update(@CurrentUser() p: Principal, @Param('id') id: string, @Body() body: Record<string, unknown>) {
      return this.svc.update(def, p, id, body);
    }

    @Delete(':id')
    @Act('write')
    @HttpCode(200)
    @ApiOperation({
      summary: `Delete a ${def.label} (409 while other records refer to it); returns the deleted record`,
    })
    @ApiOkResponse({ description: `the deleted ${def.label}` })
    remove(@CurrentUser() p: Principal, @Param('id') id: string) {
      return this.svc.remove(def, p, id);
    }
  }
  const name = def.name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
  Object.defineProperty(ResourceController, 'name', { value: `${name}Controller` });
  return ResourceController;
}
