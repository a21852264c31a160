// Benchmarks print their figures as a table, so `npm run bench` output reads the same for all.

export interface BenchRow {
  /** What was measured. */
  name: string
  /** The figure, in `unit`. */
  value: number
  unit: string
  /** How it was measured (runs, sizes), when that helps read the figure. */
  note?: string
}

function formatValue(value: number): string {
  if (value === 0) return '0'
  const magnitude = Math.abs(value)
  if (magnitude >= 100) return value.toFixed(0)
  if (magnitude >= 1) return value.toFixed(2)
  return value.toPrecision(3)
}

export function formatTable(title: string, rows: readonly BenchRow[]): string {
  const cells = rows.map((row) => [row.name, `${formatValue(row.value)} ${row.unit}`, row.note ?? ''])
  const headers = ['measure', 'value', 'how']
  const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((cell) => cell[column]!.length)))
  const line = (cell: string[]) => cell.map((text, column) => (column === 1 ? text.padStart(widths[column]!) : text.padEnd(widths[column]!))).join('  ').trimEnd()
  return [`\n## ${title}`, line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.map(line), ''].join('\n')
}

export function report(title: string, rows: readonly BenchRow[]): void {
  console.log(formatTable(title, rows))
}

/** Sorted copy and the p-th percentile (0-100) of a sample. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index] ?? NaN
}
