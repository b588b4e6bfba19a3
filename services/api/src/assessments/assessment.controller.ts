import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Act, CurrentUser, ResourceOf } from '../auth/decorators';
import { ApiConfig } from '../config';
import type { Principal } from '../policy/principal';
import { ListQueries } from '../resources/resource.controller';
import { assessmentPdf, assessmentXlsx, findCjkFont } from './assessment.export';
import { AssessmentService } from './assessment.service';

interface FileResponse {
  setHeader(name: string, value: string): void;
  end(body: Buffer): void;
}

/**
 * Monthly assessments (考核): the operator's manager appeals deductions (申诉), the agency's reviewer decides
 * appeals and approves, which freezes the assessment and writes its content hash to the audit chain.
 */
@ApiTags('assessments')
@ApiBearerAuth()
@ResourceOf('assessments')
@Controller('api')
export class AssessmentController {
  constructor(
    @Inject(AssessmentService) private readonly svc: AssessmentService,
    @Inject(ApiConfig) private readonly config: ApiConfig,
  ) {}

  @Get('assessments')
  @Act('read')
  @ApiOperation({ summary: 'Assessments of your tenant (without deductions); Content-Range gives the total' })
  @ListQueries()
  async list(
    @CurrentUser() p: Principal,
    @Query() q: Record<string, unknown>,
    @Res({ passthrough: true }) res: FileResponse,
  ) {
    const { rows, range } = await this.svc.list(p, q);
    res.setHeader('Content-Range', range);
    return rows;
  }

  @Get('assessments/:id')
  @Act('read')
  @ApiOperation({
    summary: 'One assessment with its deductions, evidence links, appeals, KPIs, score and allowed actions',
  })
  get(@CurrentUser() p: Principal, @Param('id') id: string) {
    return this.svc.get(p, id);
  }

  @Post('assessments')
  @Act('write')
  @ApiOperation({
    summary: 'Compute the draft assessment of a contract-month from the KPI rollups (409 if one exists)',
  })
  @ApiBody({ schema: { example: { contractId: 'ctr-…', month: '2026-11' } } })
  create(@CurrentUser() p: Principal, @Body() body: { contractId?: unknown; month?: unknown }) {
    return this.svc.create(p, body);
  }

  @Post('assessments/:id/actions/recompute')
  @Act('write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Recompute a draft from current data, keeping appeals (409 once approved)' })
  recompute(@CurrentUser() p: Principal, @Param('id') id: string) {
    return this.svc.recompute(p, id);
  }

  @Post('assessments/:id/actions/approve')
  @Act('write')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Reviewer approves: freezes the content and writes its SHA-256 to the audit chain (409 while appeals are pending)',
  })
  approve(@CurrentUser() p: Principal, @Param('id') id: string) {
    return this.svc.approve(p, id);
  }

  @Post('assessments/:id/deductions/:deductionId/appeal')
  @Act('write')
  @HttpCode(200)
  @ApiOperation({ summary: "Operator's manager appeals one deduction with a comment (申诉)" })
  @ApiBody({ schema: { example: { comment: '当日道路封闭施工，无法作业' } } })
  appeal(
    @CurrentUser() p: Principal,
    @Param('id') id: string,
    @Param('deductionId') did: string,
    @Body() body: { comment?: unknown },
  ) {
    return this.svc.appeal(p, id, did, body);
  }

  @Post('assessments/:id/deductions/:deductionId/review')
  @Act('write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reviewer accepts (deduction waived) or rejects a pending appeal' })
  @ApiBody({ schema: { example: { decision: 'accept', comment: '情况属实' } } })
  review(
    @CurrentUser() p: Principal,
    @Param('id') id: string,
    @Param('deductionId') did: string,
    @Body() body: { decision?: unknown; comment?: unknown },
  ) {
    return this.svc.review(p, id, did, body);
  }

  @Get('assessments/:id/export.xlsx')
  @Act('read')
  @ApiOperation({ summary: 'The assessment as XLSX: summary, deductions with evidence links, KPI table' })
  async xlsx(@CurrentUser() p: Principal, @Param('id') id: string, @Res() res: FileResponse) {
    const a = await this.svc.find(p, id);
    const buf = await assessmentXlsx(a);
    res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader(
      'content-disposition',
      `attachment; filename="assessment-${a.contractCode ?? a.contractId}-${a.month}.xlsx"`,
    );
    res.end(buf);
  }

  @Get('assessments/:id/export.pdf')
  @Act('read')
  @ApiOperation({
    summary: 'The assessment as a Chinese PDF report with charts (503 if the server has no CJK font)',
  })
  async pdf(@CurrentUser() p: Principal, @Param('id') id: string, @Res() res: FileResponse) {
    const a = await this.svc.find(p, id);
    const buf = await assessmentPdf(a, findCjkFont(this.config.PDF_FONT_FILE));
    res.setHeader('content-type', 'application/pdf');
    res.setHeader(
      'content-disposition',
      `attachment; filename="assessment-${a.contractCode ?? a.contractId}-${a.month}.pdf"`,
    );
    res.end(buf);
  }

  @Get('contracts/:id/assessment-rules')
  @Act('read')
  @ApiOperation({ summary: "A contract's deduction rules (the defaults until set)" })
  rules(@CurrentUser() p: Principal, @Param('id') id: string) {
    return this.svc.rules(p, id);
  }

  @Put('contracts/:id/assessment-rules')
  @Act('write')
  @ApiOperation({ summary: "Set a contract's deduction rules (admin: they are contract terms)" })
  @ApiBody({
    schema: { example: { rules: [{ id: 'absent_worker_shift', points: 0.5, cap: 20, enabled: true }] } },
  })
  setRules(@CurrentUser() p: Principal, @Param('id') id: string, @Body() body: unknown) {
    return this.svc.setRules(p, id, body);
  }
}
