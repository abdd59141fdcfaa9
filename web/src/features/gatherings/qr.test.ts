// The ticket's QR code, made offline (./SPEC.md GW12): decoded back with jsQR, the reader the door uses.
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { qrPath } from './qr';

/** Paints the path's modules into RGBA pixels, `scale` px per module. */
function raster(text: string, scale = 4) {
  const { size, d } = qrPath(text);
  const width = size * scale;
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
  for (const match of d.matchAll(/M(\d+) (\d+)/g)) {
    const [x, y] = [Number(match[1]), Number(match[2])];
    for (let dy = 0; dy < scale; dy++)
      for (let dx = 0; dx < scale; dx++) {
        const at = ((y * scale + dy) * width + (x * scale + dx)) * 4;
        pixels.set([0, 0, 0, 255], at);
      }
  }
  return { pixels, width };
}

describe('ticket QR', () => {
  it('[GW12] the QR made on the device reads back as the exact ticket code', () => {
    const code =
      'HT1.AZfyoAAAcACAAAAAAAAAoQ.AZfyoAAAcACAAAAAAAAAAQ.AZfyoAAAcACAAAAAAAAAsQ.AZfyoAAAcACAAAAAAAAAwQ.' +
      'x'.repeat(86);
    const { pixels, width } = raster(code);
    expect(jsQR(pixels, width, width)?.data).toBe(code);
  });
});
