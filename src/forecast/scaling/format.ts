/** Number formats shared by the reasons of both policies and the decision summary. */

export const pct = (share: number): string => `${Math.round(share * 100)}%`;
/** A whole number with thousands separators: `12,345`. */
export const count = (v: number): string => Math.round(v).toLocaleString('en-US');
/** A feature value in a reason: hour and day of week as they are, other features as counts. */
export const formatFeature = (name: string, v: number): string => (name === 'hour' || name === 'dow' ? String(v) : count(v));
