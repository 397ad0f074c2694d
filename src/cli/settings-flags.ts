/**
 * `analyze`'s setting flags, read off the settings table: every setting the page has is a
 * flag with the same bounds, plus the filters (`--from`, `--to`, `--filter dim=value`,
 * `--currency`) and `--tier-cuts A,B`. Pure: tested without a process.
 */
import { DIMENSIONS, type Dimension } from '../lib/model/schema.ts';
import { DEFAULT_SETTINGS, UNMARKED, isCurrencyChoice, type Settings } from '../lib/model/settings.ts';
import { SETTINGS_TABLE, isIsoDate, parseSetting, type SettingDef, type SettingKey } from '../lib/model/settings-table.ts';

export class UsageError extends Error {}

/** The option entries of `util.parseArgs` for the settings and filters. */
export function settingOptions(): Record<string, { type: 'string'; multiple?: boolean }> {
  const out: Record<string, { type: 'string'; multiple?: boolean }> = {};
  for (const def of SETTINGS_TABLE) out[def.flag] = { type: 'string' };
  out['tier-cuts'] = { type: 'string' };
  out.from = { type: 'string' };
  out.to = { type: 'string' };
  out.filter = { type: 'string', multiple: true };
  out.currency = { type: 'string' };
  return out;
}

function expects(def: SettingDef): string {
  const auto = ('nullable' in def && def.nullable) || def.kind === 'date' ? ' or "auto"' : '';
  switch (def.kind) {
    case 'date':
      return `a date YYYY-MM-DD${auto}`;
    case 'int':
      return `a whole number from ${def.min} to ${def.max}`;
    case 'number':
      return `a number from ${def.min} to ${def.max}${auto}`;
    case 'share':
      return `a share from ${def.min} to ${def.max} or a percentage such as 80%`;
    case 'choice':
      return `one of ${def.values.join(', ')}${auto}`;
  }
}

/** A share written as 0.8, 80 or 80 % (a number above 1 is a percentage). */
function shareText(text: string): string {
  const t = text.trim();
  const percent = t.endsWith('%');
  const n = Number(percent ? t.slice(0, -1) : t);
  if (t === '' || !Number.isFinite(n)) return t;
  return String(percent || n > 1 ? Math.round(n * 1e6) / 1e8 : n);
}

function readOne(def: SettingDef, text: string): Settings[SettingKey] {
  const nullable = def.kind === 'date' || ('nullable' in def && def.nullable === true);
  if (nullable && text.trim().toLowerCase() === 'auto') return null;
  const value = parseSetting(def, def.kind === 'share' ? shareText(text) : text.trim());
  if (value === undefined) {
    if (def.kind === 'date') throw new UsageError(`--${def.flag} takes a date YYYY-MM-DD, not "${text}"`);
    throw new UsageError(`--${def.flag} takes ${expects(def)}, not "${text}"`);
  }
  return value;
}

function dimensionFilter(arg: string): [Dimension, string] {
  const eq = arg.indexOf('=');
  const dim = arg.slice(0, Math.max(0, eq)).trim();
  const value = arg.slice(eq + 1);
  if (eq < 0 || !(DIMENSIONS as readonly string[]).includes(dim) || value === '') {
    throw new UsageError(`--filter takes dimension=value with a dimension among ${DIMENSIONS.join(', ')}, not "${arg}"`);
  }
  return [dim as Dimension, value];
}

/** Settings from the parsed flags; anything out of bounds is a UsageError naming the flag. */
export function settingsFromFlags(values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>): Settings {
  const patch: Partial<Record<SettingKey, Settings[SettingKey]>> = {};
  const text = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const cuts = text('tier-cuts');
  if (cuts !== undefined) {
    const parts = cuts.split(',');
    if (parts.length !== 2) throw new UsageError(`--tier-cuts takes two cut points A,B such as 80,95, not "${cuts}"`);
    patch.tierA = readOne(settingDefOf('tierA'), parts[0] ?? '');
    patch.tierB = readOne(settingDefOf('tierB'), parts[1] ?? '');
  }
  for (const def of SETTINGS_TABLE) {
    const v = text(def.flag);
    if (v !== undefined) patch[def.key] = readOne(def, v);
  }
  // Each value was checked against its own entry of the table.
  const settings = { ...DEFAULT_SETTINGS, ...patch } as Settings;
  if (settings.tierB <= settings.tierA) {
    throw new UsageError(`tier B's cut point (${settings.tierB}) must lie above tier A's (${settings.tierA})`);
  }
  const from = text('from');
  const to = text('to');
  for (const [flag, v] of [['from', from], ['to', to]] as const) {
    if (v !== undefined && !isIsoDate(v)) throw new UsageError(`--${flag} takes a date YYYY-MM-DD, not "${v}"`);
  }
  if (from !== undefined && to !== undefined && to < from) throw new UsageError(`--to (${to}) comes before --from (${from})`);
  const dims: Partial<Record<Dimension, string[]>> = {};
  const filters = values.filter;
  for (const arg of Array.isArray(filters) ? (filters as readonly string[]) : []) {
    const [dim, value] = dimensionFilter(arg);
    (dims[dim] ??= []).push(value);
  }
  const currencyArg = text('currency');
  let currency: string | undefined;
  if (currencyArg !== undefined) {
    currency = currencyArg.toLowerCase() === UNMARKED ? UNMARKED : currencyArg.toUpperCase();
    if (!isCurrencyChoice(currency)) {
      throw new UsageError(`--currency takes a three-letter code such as CNY, or "${UNMARKED}" for amounts without one, not "${currencyArg}"`);
    }
  }
  return {
    ...settings,
    filters: { from: from ?? null, to: to ?? null, dims, ...(currency !== undefined ? { currency } : {}) },
  };
}

function settingDefOf(key: SettingKey): SettingDef {
  const def = SETTINGS_TABLE.find((d) => d.key === key);
  if (def === undefined) throw new Error(`no setting ${key}`);
  return def;
}

function defaultText(def: SettingDef): string {
  const v = DEFAULT_SETTINGS[def.key];
  if (v === null) return 'auto';
  if (def.kind === 'share' && typeof v === 'number') return `${Math.round(v * 1000) / 10}%`;
  return String(v);
}

/** The settings part of `--help`: every flag with what it takes and its default. */
export function settingsHelp(): string {
  // A long list of choices goes into the text, so that it does not widen the flag column.
  const rows: [string, string][] = SETTINGS_TABLE.map((def) => {
    const values = def.kind === 'choice' ? def.values : null;
    const long = values !== null && values.length > 5;
    return [
      `--${def.flag} ${long ? 'VALUE' : values !== null ? values.join('|') : def.kind.toUpperCase()}`,
      `${def.help}${long ? `: ${values.join(', ')}` : ''} (default ${defaultText(def)})`,
    ];
  });
  rows.push(['--tier-cuts A,B', 'both tier cut points at once, e.g. 80,95']);
  rows.push(['--from DATE, --to DATE', 'keep lines dated in this range (inclusive)']);
  rows.push(['--filter DIM=VALUE', `keep lines whose ${DIMENSIONS.join('/')} is VALUE (repeatable; values of one dimension are OR-ed)`]);
  rows.push(['--currency CODE|none', 'the currency analysed when the amounts name several (default: the one with most lines)']);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`).join('\n');
}
