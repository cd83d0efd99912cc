const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/i;

/** `5s`, `500ms`, `1m` or a bare number of seconds, as milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = (match[2] ?? 's').toLowerCase();
  const ms = unit === 'ms' ? value : unit === 'm' ? value * 60_000 : value * 1000;
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

export const DURATION_PATTERN = DURATION;
