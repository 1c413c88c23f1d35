/** Number formats shared by the reasons of both policies and the decision summary. */

export const pct = (share: number): string => `${Math.round(share * 100)}%`;
export const count = (v: number): string => Math.round(v).toLocaleString('en-US');
export const formatFeature = (name: string, v: number): string => (name === 'hour' || name === 'dow' ? String(v) : count(v));
