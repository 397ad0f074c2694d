import { dashboardMessages } from '../../../src/lib/i18n/dashboard.ts';
import type { ChartContext, Locale } from '../../../src/lib/charts/theme.ts';

/** A chart context whose `t` reads the dashboard catalogue and fills `{name}` placeholders. */
export function chartContext(locale: Locale = 'en', width = 640): ChartContext {
  const messages: Record<string, string> = dashboardMessages[locale];
  return {
    locale,
    width,
    currency: null,
    t: (key, params) => {
      const text = messages[key];
      if (text === undefined) throw new Error(`missing message: ${key}`);
      return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params?.[name] ?? `{${name}}`));
    },
  };
}
