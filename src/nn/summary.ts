/** One row of a module summary (see Module.summary / Sequential.summary). */
export interface SummaryRow {
  /** Child name ("0", "1", … or a property name), the PyTorch state-dict prefix. */
  name: string;
  /** Layer class ("Conv2d"). */
  type: string;
  /** Output shape of ONE sample (no batch dimension), e.g. [8, 28, 28]. */
  outputShape: number[];
  /** Trainable parameters of the layer. */
  params: number;
  /** Floating-point operations of one forward pass on one sample (a multiply-add counts 2). */
  flops: number;
}

/** The result of a summary: rows, totals, and `table` (printable text). */
export interface Summary {
  inputShape: number[];
  rows: SummaryRow[];
  outputShape: number[];
  totalParams: number;
  /** Values of non-trainable buffers (BatchNorm running statistics). */
  totalBuffers: number;
  totalFlops: number;
  /** A fixed-width table of the rows and totals, ready to print. */
  table: string;
}

/** Thousands separators: 1234567 → "1,234,567". */
function group(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** The printable table of a summary. */
export function formatSummary(inputShape: readonly number[], rows: SummaryRow[], params: number, buffers: number, flops: number): string {
  const head = ["Layer (type)", "Output shape", "Params", "FLOPs"];
  const body = rows.map((r) => [`${r.name} (${r.type})`, `[${r.outputShape.join(", ")}]`, group(r.params), group(r.flops)]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((s, c) => (c >= 2 ? s.padStart(widths[c]!) : s.padEnd(widths[c]!))).join("  ");
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  return [
    `Input shape: [${inputShape.join(", ")}] (one sample)`,
    line(head),
    "=".repeat(total),
    ...body.map(line),
    "=".repeat(total),
    `Total params: ${group(params)}`,
    `Non-trainable buffer values: ${group(buffers)}`,
    `FLOPs per sample (multiply-add = 2): ${group(flops)}`,
  ].join("\n");
}
