import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  apiKeyPageSchema,
  ApiKeyView,
  CreateApiKeyBody,
  createApiKeySchema,
  CreatedApiKey,
  createdApiKeySchema,
  KeyPageQuery,
  keyPageQuerySchema,
  Page,
  Principal,
  principalSchema,
} from '@iag/contracts';
import { API_BASE, OPENAPI_BEARER } from '../api.constants';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import {
  ApiBodyErrors,
  ApiErrors,
  ApiZodBody,
  ApiZodQuery,
  ApiZodResponse,
} from '../openapi/zod-openapi';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { KeysService } from './keys.service';

@ApiTags('keys')
@ApiBearerAuth(OPENAPI_BEARER)
@ApiErrors(
  HttpStatus.UNAUTHORIZED,
  HttpStatus.FORBIDDEN,
  HttpStatus.TOO_MANY_REQUESTS,
  HttpStatus.SERVICE_UNAVAILABLE,
)
@Roles('admin')
@Controller(`${API_BASE}/keys`)
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Post()
  @ApiOperation({
    operationId: 'createApiKey',
    summary: 'Create an API key; the secret is shown only in this answer',
  })
  @ApiZodBody(createApiKeySchema)
  @ApiZodResponse(HttpStatus.CREATED, createdApiKeySchema, 'The key and its secret')
  @ApiBodyErrors()
  create(
    @Body(new ZodValidationPipe(createApiKeySchema)) body: CreateApiKeyBody,
    @CurrentPrincipal() by: Principal,
  ): Promise<CreatedApiKey> {
    return this.keys.create(body, by);
  }

  @Get('me')
  @Roles('viewer')
  @ApiOperation({
    operationId: 'getCurrentPrincipal',
    summary: 'Who this key is: its name and role (the dashboard shows what it may do)',
  })
  @ApiZodResponse(HttpStatus.OK, principalSchema, 'The caller')
  me(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Get()
  @ApiOperation({
    operationId: 'listApiKeys',
    summary: 'API keys, oldest first, one page at a time (never the secrets)',
  })
  @ApiZodQuery(keyPageQuerySchema)
  @ApiZodResponse(HttpStatus.OK, apiKeyPageSchema, 'One page of keys')
  @ApiErrors(HttpStatus.BAD_REQUEST)
  list(@Query(new ZodValidationPipe(keyPageQuerySchema)) query: KeyPageQuery): Page<ApiKeyView> {
    return this.keys.list(query);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key (not the one making the request)',
  })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors(HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  revoke(@Param('id') id: string, @CurrentPrincipal() by: Principal): Promise<void> {
    return this.keys.revoke(id, by);
  }
}
