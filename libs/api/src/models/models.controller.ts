import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  KeyPageQuery,
  keyPageQuerySchema,
  ModelView,
  modelPageKey,
  modelPageSchema,
  modelViewSchema,
  Page,
  pageByKey,
} from '@iag/contracts';
import { ModelRegistry } from '@iag/detection';
import { API_BASE, OPENAPI_BEARER } from '../api.constants';
import { Roles } from '../auth/auth.decorators';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { ApiBodyErrors, ApiErrors, ApiZodQuery, ApiZodResponse } from '../openapi/zod-openapi';

@ApiTags('models')
@ApiBearerAuth(OPENAPI_BEARER)
@ApiErrors(HttpStatus.UNAUTHORIZED, HttpStatus.FORBIDDEN, HttpStatus.TOO_MANY_REQUESTS)
@Controller(`${API_BASE}/models`)
export class ModelsController {
  constructor(private readonly registry: ModelRegistry) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({
    operationId: 'listModels',
    summary:
      'The model versions in the registry, and which ones score live traffic, one page at a time',
  })
  @ApiZodQuery(keyPageQuerySchema)
  @ApiZodResponse(HttpStatus.OK, modelPageSchema, 'One page of model versions')
  @ApiErrors(HttpStatus.BAD_REQUEST)
  async list(
    @Query(new ZodValidationPipe(keyPageQuerySchema)) query: KeyPageQuery,
  ): Promise<Page<ModelView>> {
    return pageByKey(await this.registry.list(), modelPageKey, query);
  }

  @Post(':name/:version/activate')
  @HttpCode(HttpStatus.OK)
  @Roles('admin')
  @ApiOperation({
    operationId: 'activateModel',
    summary:
      'Hot-swap a version in for its profile: no connection is dropped and no reading goes unscored; an invalid model is refused (422) and the active one stays',
  })
  @ApiZodResponse(HttpStatus.OK, modelViewSchema, 'The version now active')
  @ApiErrors(HttpStatus.NOT_FOUND, HttpStatus.UNPROCESSABLE_ENTITY)
  @ApiBodyErrors()
  activate(@Param('name') name: string, @Param('version') version: string): Promise<ModelView> {
    return this.registry.activate(name, version);
  }
}
