import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  Res,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Public } from '../auth/auth.decorators';
import { SECURITY_HEADERS } from '../security/security-headers';

interface Asset {
  body: Buffer;
  type: string;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** The dashboard's own files (next to this controller; nest-cli.json copies them into dist). */
const OWN_FILES = [
  'index.html',
  'app.css',
  'main.js',
  'api.js',
  'live.js',
  'dom.js',
  'fleet.js',
  'anomalies.js',
  'device.js',
  'chart.js',
];
/** Libraries served from node_modules: the network reaches no CDN. */
const VENDOR_FILES: Record<string, string> = {
  'uplot.js': 'uplot/dist/uPlot.iife.min.js',
  'uplot.css': 'uplot/dist/uPlot.min.css',
};

/**
 * Serves the operator dashboard at `/` from a fixed list of files (no path ever reaches the disk).
 * Page and scripts are public, as any login page is: every piece of data they show comes from
 * the REST API with the operator's key (kept in sessionStorage, sent as a header, never in a URL).
 */
@ApiExcludeController()
@Public()
@Controller()
export class DashboardController {
  private readonly assets = new Map<string, Asset>();

  constructor() {
    const dir = join(__dirname, 'assets');
    for (const name of OWN_FILES) this.assets.set(name, load(join(dir, name)));
    for (const [name, module] of Object.entries(VENDOR_FILES)) {
      this.assets.set(`vendor/${name}`, load(require.resolve(module)));
    }
  }

  @Get()
  async index(@Res() reply: FastifyReply): Promise<void> {
    await this.send(reply, 'index.html');
  }

  /** Browsers ask for it whatever the page says. */
  @Get('favicon.ico')
  @HttpCode(HttpStatus.NO_CONTENT)
  favicon(): void {}

  @Get('dashboard/:file')
  async file(@Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    await this.send(reply, file);
  }

  @Get('dashboard/vendor/:file')
  async vendor(@Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    await this.send(reply, `vendor/${file}`);
  }

  private async send(reply: FastifyReply, name: string): Promise<void> {
    const asset = this.assets.get(name);
    if (!asset)
      throw new NotFoundException(`no dashboard file ${JSON.stringify(name.slice(0, 100))}`);
    await reply.headers({ ...SECURITY_HEADERS, 'content-type': asset.type }).send(asset.body);
  }
}

function load(path: string): Asset {
  const extension = path.slice(path.lastIndexOf('.') + 1);
  return { body: readFileSync(path), type: TYPES[extension] ?? 'application/octet-stream' };
}
