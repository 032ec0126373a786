import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppError, StockProblem } from '../../common/errors/app-error';
import { isUniqueViolation } from '../../common/errors/database-errors';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { ProductRow } from '../../database/schema';
import { DEMO_CATALOG } from './demo-catalog';
import {
  CreateProductDto,
  ProductDto,
  ProductPageDto,
  toProductResponse,
  UpdateProductDto,
} from './dto/product.dto';
import { ProductForSale, ProductsRepository } from './products.repository';

export { PRODUCT_FOR_SALE_COLUMNS, type ProductForSale } from './products.repository';
import { stockChangeOf, stockConflict } from './stock-change';

const DEFAULT_PAGE_SIZE = 20;

@Injectable()
export class CatalogService implements OnApplicationBootstrap {
  private readonly logger = new Logger(CatalogService.name);

  constructor(
    private readonly products: ProductsRepository,
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.seedDemoCatalog || (await this.products.countAll()) > 0) return;
    await this.products.insertMany(DEMO_CATALOG);
    this.logger.log(`seeded the demo catalog (${DEMO_CATALOG.length} products)`);
  }

  /** Active products by sku; the cursor is the last sku of the previous page, base64url-encoded. */
  async listActive(limit = DEFAULT_PAGE_SIZE, cursor?: string): Promise<ProductPageDto> {
    const afterSku = cursor === undefined ? undefined : decodeCursor(cursor);
    const rows = await this.products.listActive(limit + 1, afterSku);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => this.toResponse(row)),
      next_cursor:
        rows.length > limit && last !== undefined ? Buffer.from(last.sku).toString('base64url') : null,
    };
  }

  /** An active product; inactive ones are hidden from shoppers like unknown ones. */
  async getActive(id: string): Promise<ProductDto> {
    const row = await this.products.findById(id);
    if (row === undefined || !row.isActive) throw new AppError('PRODUCT_NOT_FOUND', 'Product not found');
    return this.toResponse(row);
  }

  async create(dto: CreateProductDto): Promise<ProductDto> {
    try {
      const row = await this.products.insert({
        sku: dto.sku,
        name: dto.name,
        description: dto.description ?? '',
        unitPrice: dto.unit_price,
        stock: dto.stock,
        isActive: dto.is_active ?? true,
      });
      return this.toResponse(row);
    } catch (error) {
      if (isUniqueViolation(error, 'products_sku_key'))
        throw new AppError('SKU_TAKEN', `SKU ${dto.sku} is already taken`);
      throw error;
    }
  }

  /** An admin PATCH as one conditional UPDATE (stock-change.ts): all of it applies, or nothing. */
  async update(id: string, dto: UpdateProductDto): Promise<ProductDto> {
    const change = stockChangeOf(dto);
    const patch = {
      name: dto.name,
      description: dto.description,
      unitPrice: dto.unit_price,
      isActive: dto.is_active,
    };
    const row = await this.products.updateChecked(id, patch, change);
    if (row !== undefined) return this.toResponse(row);
    const current = await this.products.findById(id);
    if (current === undefined || change === undefined)
      throw new AppError('PRODUCT_NOT_FOUND', 'Product not found');
    throw stockConflict(id, change, current.stock);
  }

  /** Rows for a set of ids in one query, for cart and order code. */
  findByIds(ids: readonly string[]): Promise<ProductForSale[]> {
    return this.products.findByIds(ids);
  }

  /** Checkout's stock as parts of its placement statement (ProductsRepository.stockParts). */
  stockParts(): ReturnType<ProductsRepository['stockParts']> {
    return this.products.stockParts();
  }

  /** Product rows by id, unlocked, in one query (prices and a first stock check before any lock). */
  async productMap(ids: readonly string[]): Promise<Map<string, ProductForSale>> {
    return new Map((await this.products.findByIds(ids)).map((row) => [row.id, row]));
  }

  async restock(lines: readonly { productId: string; quantity: number }[]): Promise<void> {
    for (const line of [...lines].sort((a, b) => a.productId.localeCompare(b.productId))) {
      await this.products.restock(line.productId, line.quantity);
    }
  }

  findById(id: string): Promise<ProductRow | undefined> {
    return this.products.findById(id);
  }

  toResponse(row: ProductRow): ProductDto {
    return toProductResponse(row, this.config.currency);
  }
}

function decodeCursor(cursor: string): string {
  const sku = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(sku)) {
    throw AppError.validation([
      { field: 'cursor', message: 'cursor is not a cursor returned by this endpoint' },
    ]);
  }
  return sku;
}

/** Lines whose product is unknown or inactive, and lines short of stock, in product-id order. */
export function stockProblems(
  lines: readonly { productId: string; quantity: number }[],
  products: ReadonlyMap<string, Pick<ProductRow, 'stock' | 'isActive'>>,
): { unavailable: string[]; short: StockProblem[] } {
  const unavailable: string[] = [];
  const short: StockProblem[] = [];
  for (const line of [...lines].sort((a, b) => a.productId.localeCompare(b.productId))) {
    const current = products.get(line.productId);
    if (current === undefined || !current.isActive) unavailable.push(line.productId);
    else if (current.stock < line.quantity)
      short.push({ product_id: line.productId, requested: line.quantity, available: current.stock });
  }
  return { unavailable, short };
}
