// Draws Hearth's icon once as SVG and rasterizes it into the PNGs the manifest and index.html name.
// Run after changing the drawing: `pnpm --filter @hearth/web icons`; the PNGs are committed.
import { writeFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';

const publicDir = new URL('../public/', import.meta.url);

type Variant = 'rounded' | 'full-bleed';

/** A hearth (arch and floor) with a flame in it, on an ember gradient. 512x512 user units. */
function iconSvg(variant: Variant): string {
  // Full-bleed icons (maskable, apple-touch) are cropped by the platform: keep the drawing inside the
  // central 80% safe zone (https://w3c.github.io/manifest/#icon-masks).
  const background =
    variant === 'rounded'
      ? '<rect width="512" height="512" rx="112" fill="url(#ember)"/>'
      : '<rect width="512" height="512" fill="url(#ember)"/>';
  const scale = variant === 'rounded' ? 1 : 0.8;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">
  <defs>
    <linearGradient id="ember" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#E8773A"/>
      <stop offset="1" stop-color="#B4441B"/>
    </linearGradient>
    <linearGradient id="flame" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#FFE3A3"/>
      <stop offset="1" stop-color="#FFB347"/>
    </linearGradient>
  </defs>
  ${background}
  <g transform="translate(256 262) scale(${scale}) translate(-256 -262)">
    <path d="M150 392 V250 A106 106 0 0 1 362 250 V392" fill="none" stroke="#FFF4E6" stroke-width="28"
      stroke-linecap="round" stroke-linejoin="round"/>
    <path d="M112 392 H400" stroke="#FFF4E6" stroke-width="28" stroke-linecap="round"/>
    <path d="M256 214 C290 252 322 282 322 326 C322 360 292 378 256 378 C220 378 190 360 190 326
      C190 298 208 280 224 260 C228 286 240 298 254 300 C246 268 246 240 256 214 Z" fill="url(#flame)"/>
    <path d="M256 300 C272 318 284 332 284 348 C284 364 272 372 256 372 C240 372 228 364 228 348
      C228 334 240 322 256 300 Z" fill="#FFF4E6"/>
  </g>
</svg>
`;
}

function writePng(file: string, variant: Variant, size: number): void {
  const png = new Resvg(iconSvg(variant), { fitTo: { mode: 'width', value: size } }).render().asPng();
  writeFileSync(new URL(file, publicDir), png);
}

writeFileSync(new URL('favicon.svg', publicDir), iconSvg('rounded'));
writePng('icons/icon-192.png', 'rounded', 192);
writePng('icons/icon-512.png', 'rounded', 512);
writePng('icons/icon-maskable-512.png', 'full-bleed', 512);
writePng('icons/apple-touch-icon.png', 'full-bleed', 180);
console.log('Wrote favicon.svg and icons/*.png under web/public/');
