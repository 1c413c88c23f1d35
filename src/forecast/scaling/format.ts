/** Number formats shared by the reasons of both policies and the decision summary. */

import { DIRECTIONAL_SCALING_FEATURES } from './features.js';

/** A share as a whole percentage: `0.87` → `87%`. */
export const pct = (share: number): string => `${Math.round(share * 100)}%`;
/** A whole number with thousands separators: `12,345`. */
export const count = (v: number): string => Math.round(v).toLocaleString('en-US');
/** Calendar features, shown as they are. */
const CALENDAR = new Set(['hour', 'dow', 'hour_of_week']);
/** Relative changes of the directional features (all but the calendar), shown as signed percentages. */
const RELATIVE = new Set<string>(DIRECTIONAL_SCALING_FEATURES.filter((name) => !CALENDAR.has(name)));
/** A feature value in a reason: calendar features as they are, relative changes as `-23%`, others as counts. */
export const formatFeature = (name: string, v: number): string => {
  if (CALENDAR.has(name)) return String(v);
  if (RELATIVE.has(name)) return `${v > 0 ? '+' : ''}${Math.round(v * 100)}%`;
  return count(v);
};
