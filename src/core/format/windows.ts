// The time windows a user can choose (setting `prodlens.window`, CLI `--window`).
export const WINDOWS = {
  '5m': 5 * 60_000,
  '15m': 15 * 60_000,
  '1h': 60 * 60_000,
  '6h': 6 * 60 * 60_000,
  '24h': 24 * 60 * 60_000,
  '7d': 7 * 24 * 60 * 60_000,
} as const;
export type WindowId = keyof typeof WINDOWS;

export const WINDOW_LABELS: Record<WindowId, string> = {
  '5m': '5 min',
  '15m': '15 min',
  '1h': '1 h',
  '6h': '6 h',
  '24h': '24 h',
  '7d': '7 days',
};

/** Parses `15m`, `1h`, `7d`, also `90s`/`2h`; returns undefined for anything else or out of 1 min … 7 days. */
export function parseWindow(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|min|h|d)$/i.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  const ms =
    n * (unit === 's' ? 1_000 : unit === 'h' ? 3_600_000 : unit === 'd' ? 86_400_000 : 60_000);
  return ms >= 60_000 && ms <= WINDOWS['7d'] ? ms : undefined;
}
