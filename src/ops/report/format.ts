/**
 * Number formatting shared by the text and HTML reports, so both say the same thing. Written out
 * rather than using Intl so the output does not depend on the machine's locale.
 */

/** 1234567 → "1,234,567" (counts only: rounds to a whole number) */
export function int(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** 0.0042 → "0.42%": two decimals below 10% so a small but rising rejection rate stays visible. */
export function percent(fraction: number): string {
  const p = fraction * 100
  return `${p === 0 ? '0' : p < 10 ? p.toFixed(2) : p.toFixed(1)}%`
}

/** 950 → "950 ms", 12_300 → "12.3 s", 184_000 → "3m 04s", 3_780_000 → "1h 03m" */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)} s`
  const total = Math.round(s)
  if (total < 3600) return `${Math.floor(total / 60)}m ${pad2(total % 60)}s`
  return `${Math.floor(total / 3600)}h ${pad2(Math.floor((total % 3600) / 60))}m`
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

/** 1536 → "1.5 KiB" */
export function bytes(n: number): string {
  let value = n
  let unit = 0
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${n} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${BYTE_UNITS[unit]}`
}

/** Short axis labels: 1500 → "1.5k", 2_000_000 → "2M". */
export function compact(n: number): string {
  const abs = Math.abs(n)
  for (const [size, suffix] of [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (abs >= size) return `${trim(n / size)}${suffix}`
  }
  return trim(n)
}

function trim(n: number): string {
  return String(Number.parseFloat(n.toFixed(Math.abs(n) < 10 ? 2 : 1)))
}

function pad2(n: number): string {
  return String(n).padStart(2, '0')
}
