/** One CSV cell: quoted when needed; a leading = + - @ is defused so a spreadsheet never runs it as a formula. */
function cell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Saves rows as a CSV file with a header line, built in the browser from data already shown. */
export function saveCsv(name: string, header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): void {
  const text = [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
  saveBlob(new Blob([text], { type: 'text/csv;charset=utf-8' }), name);
}

/** Hands a blob to the browser's download, under `name`. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // the download has started by then; the object URL would otherwise hold the blob for the page's life
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
