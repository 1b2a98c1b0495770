/** Display helpers for the storage views (bytes come from shared/format's formatBytes). */

/** 7.25 → `7.3×`; null/0/non-finite → `–`. Ratios are shown to one decimal. */
export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio) || ratio <= 0) return '–';
  return `${ratio.toFixed(1)}×`;
}

/** 0.1234 → `12.3%`. */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  return `${(share * 100).toFixed(1)}%`;
}

/** 1.5 → `$1.50`, 0.0042 → `$0.0042`, -3 → `-$3.00`: small amounts keep two significant digits. */
export function formatUsd(amount: number): string {
  if (!Number.isFinite(amount)) return '–';
  const sign = amount < 0 ? '-' : '';
  const v = Math.abs(amount);
  if (v === 0) return '$0.00';
  if (v < 0.01) return `${sign}$${v.toPrecision(2)}`;
  return `${sign}$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** `a / b` when both are known and b is positive; else null. */
export function ratioOf(numerator: number | null | undefined, denominator: number | null | undefined): number | null {
  if (numerator === null || numerator === undefined || denominator === null || denominator === undefined) return null;
  if (!(denominator > 0) || !Number.isFinite(numerator)) return null;
  return numerator / denominator;
}
