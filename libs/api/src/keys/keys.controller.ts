import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateApiKeyBody, createApiKeySchema, Principal } from '@iag/contracts';
import { API_BASE, OPENAPI_BEARER } from '../api.constants';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import {
  apiKeyViewSchema,
  createdApiKeySchema,
  principalSchema,
} from '../openapi/response-schemas';
import { ApiErrors, ApiZodBody, ApiZodResponse } from '../openapi/zod-openapi';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { ApiKeyView, CreatedApiKey, KeysService } from './keys.service';

@ApiTags('keys')
@ApiBearerAuth(OPENAPI_BEARER)
@ApiErrors(HttpStatus.UNAUTHORIZED, HttpStatus.FORBIDDEN, HttpStatus.TOO_MANY_REQUESTS)
@Roles('admin')
@Controller(`${API_BASE}/keys`)
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key; the secret is shown only in this answer' })
  @ApiZodBody(createApiKeySchema)
  @ApiZodResponse(HttpStatus.CREATED, createdApiKeySchema, 'The key and its secret')
  @ApiErrors(HttpStatus.BAD_REQUEST)
  create(
    @Body(new ZodValidationPipe(createApiKeySchema)) body: CreateApiKeyBody,
    @CurrentPrincipal() by: Principal,
  ): Promise<CreatedApiKey> {
    return this.keys.create(body, by);
  }

  @Get('me')
  @Roles('viewer')
  @ApiOperation({
    summary: 'Who this key is: its name and role (the dashboard shows what it may do)',
  })
  @ApiZodResponse(HttpStatus.OK, principalSchema, 'The caller')
  me(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Get()
  @ApiOperation({ summary: 'Every API key (never the secrets)' })
  @ApiZodResponse(HttpStatus.OK, apiKeyViewSchema.array(), 'The keys')
  list(): ApiKeyView[] {
    return this.keys.list();
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke an API key (not the one making the request)' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors(HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  revoke(@Param('id') id: string, @CurrentPrincipal() by: Principal): Promise<void> {
    return this.keys.revoke(id, by);
  }
}
