/**
 * The text lines of a PDF rendered by pdfkit with `compress: false`: each `[...] TJ` array of its
 * content streams, the hex strings decoded (WinAnsi, the standard fonts) and joined. Enough to
 * assert what an invoice says without a PDF parser.
 */
export function pdfText(pdf: Buffer): string[] {
  const src = pdf.toString('latin1');
  return [...src.matchAll(/\[((?:<[0-9a-fA-F]*>|[-\d.\s])*)\]\s*TJ/g)].map((m) =>
    [...m[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => Buffer.from(h[1]!, 'hex').toString('latin1')).join(''));
}
