import { NewProductRow } from '../../database/schema';

/** A small catalog so `npm start` on a bare machine has something to put in a cart. */
export const DEMO_CATALOG: NewProductRow[] = [
  {
    sku: 'TEE-BLK-M',
    name: 'Black T-shirt (M)',
    description: 'Organic cotton, regular fit',
    unitPrice: 1999,
    stock: 100,
  },
  {
    sku: 'TEE-WHT-M',
    name: 'White T-shirt (M)',
    description: 'Organic cotton, regular fit',
    unitPrice: 1999,
    stock: 80,
  },
  { sku: 'HOODIE-GRY-L', name: 'Grey hoodie (L)', description: 'Brushed fleece', unitPrice: 4999, stock: 25 },
  { sku: 'MUG-LOGO', name: 'Logo mug', description: 'Stoneware, 350 ml', unitPrice: 1299, stock: 200 },
  { sku: 'CAP-NVY', name: 'Navy cap', description: 'Adjustable strap', unitPrice: 2499, stock: 40 },
  { sku: 'SOCKS-3PK', name: 'Socks, 3 pairs', description: 'Merino blend', unitPrice: 1499, stock: 150 },
  { sku: 'TOTE-CANVAS', name: 'Canvas tote', description: 'Heavy canvas', unitPrice: 1799, stock: 60 },
  { sku: 'STICKERS', name: 'Sticker pack', description: 'Ten vinyl stickers', unitPrice: 499, stock: 500 },
  { sku: 'POSTER-A2', name: 'Poster (A2)', description: 'Matte print', unitPrice: 2999, stock: 3 },
  {
    sku: 'LIMITED-PIN',
    name: 'Limited enamel pin',
    description: 'Sold out, back soon',
    unitPrice: 999,
    stock: 0,
  },
];
