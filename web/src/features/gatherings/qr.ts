// A QR code as an SVG path, made on the device from the ticket's text (no network): `qrcode` builds
// the module matrix, this turns the dark modules into one path (GW12 in ./SPEC.md). Pure.
import QRCode from 'qrcode';

export interface QrPath {
  /** Modules per side, plus the quiet zone on each side. */
  readonly size: number;
  /** `M x y h1 v1 h-1 z` per dark module. */
  readonly d: string;
}

/** [GW12] The QR path of `text` (error correction M), with a 4-module quiet zone. */
export function qrPath(text: string, quiet = 4): QrPath {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const parts: string[] = [];
  for (let y = 0; y < modules.size; y++)
    for (let x = 0; x < modules.size; x++)
      if (modules.get(x, y)) parts.push(`M${x + quiet} ${y + quiet}h1v1h-1z`);
  return { size: modules.size + quiet * 2, d: parts.join('') };
}
