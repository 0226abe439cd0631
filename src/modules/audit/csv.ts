// CSV cells that a spreadsheet cannot turn into a formula or a broken row.
// A cell starting with = + - @ (after any leading whitespace, which some
// spreadsheets strip before looking) or a tab is prefixed with a quote so it
// stays text; CR and LF become spaces, so a user agent or name cannot start a row.
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? "" : String(value);
  text = text.replace(/[\r\n]+/g, " ");
  if (/^\s*[=+\-@]/.test(text) || text.startsWith("\t")) text = `'${text}`;
  return /[",]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: Array<string | number | null | undefined>): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}
